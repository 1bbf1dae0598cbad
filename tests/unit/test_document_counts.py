"""How the document counters' reconciliation counts a listing of the uploads bucket."""
from chalicelib.workers.uploads import document_counts
from pawport.documents import UploadKey


def test_uploads_are_counted_per_household_and_pet_and_nothing_else_is() -> None:
    kept = [UploadKey("h1", "p1", "u1", "rabies.pdf"), UploadKey("h1", "p1", "u2", "lyme.pdf"),
            UploadKey("h1", "p2", "u3", "rabies.pdf"), UploadKey("h2", "p1", "u4", "rabies.pdf")]
    refused = UploadKey("h1", "p1", "u5", "archive.pdf")
    listing = [*map(str, kept), kept[0].thumbnail, refused.quarantine, "uploads/stray.pdf",
               "uploads/h1/p1/u6/nested/file.pdf", "uploads/h1//u7/empty-pet.pdf"]

    counts = document_counts(listing)

    assert counts == {("h1", "p1"): 2, ("h1", "p2"): 1, ("h2", "p1"): 1}
    assert counts["h3", "p9"] == 0   # a pet with no uploads left counts nothing


def test_an_empty_listing_counts_nothing() -> None:
    assert document_counts([]) == {}
