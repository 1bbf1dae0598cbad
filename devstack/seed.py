"""The demo: a user in the local pool, a household and two pets, made through control's HTTP API."""
import requests

from devstack import identity
from devstack.stack import Stack

DEMO_EMAIL, DEMO_PASSWORD = "demo@pawport.local", "Pawport-demo-1"
DEMO_PETS = (("Ollie", "dog"), ("Mochi", "cat"))


def seed(stack: Stack) -> str:
    """Returns the demo household's id."""
    identity.create_user(stack, DEMO_EMAIL, DEMO_PASSWORD)
    headers = {"Authorization": f"Bearer {demo_token(stack)}"}
    answer = requests.post(f"{stack.control_url}/households", headers=headers, timeout=30,
                           json={"name": "The Demo Household", "time_zone": "Europe/London"})
    answer.raise_for_status()
    household_id = answer.json()["household_id"]
    for name, species in DEMO_PETS:
        requests.post(f"{stack.control_url}/households/{household_id}/pets", headers=headers, timeout=30,
                      json={"name": name, "species": species}).raise_for_status()
    return household_id


def demo_token(stack: Stack) -> str:
    return identity.sign_in(stack, DEMO_EMAIL, DEMO_PASSWORD)["IdToken"]
