// What the api and control answer (services/api/chalicelib/api/models.py, control's responses.py).
export type Status = "expired" | "due" | "current" | "no-expiry" | "no-records";
export type Role = "owner" | "editor" | "viewer";

export interface RecordView {
  id: string;
  pet_id: string;
  vaccine: string;
  administered_on: string | null;
  expires_on: string | null;
  clinic: string | null;
  status: Status;
  has_document: boolean;
}

export interface PetView {
  id: string;
  name: string;
  species: string;
  status: Status;
  records: RecordView[];
  drafts: number;
  breed?: string | null;
  birth_date?: string | null;
  microchip?: string | null;
  photo_url?: string | null;
  photo_refused?: string | null;
}

export interface Attention {
  pet_id: string;
  pet_name: string;
  record_id: string;
  vaccine: string;
  expires_on: string | null;
  status: Status;
}

export interface Dashboard {
  household: { id: string; name: string; time_zone: string };
  role: Role;
  today: string;
  pets: PetView[];
  attention: Attention[];
}

export interface Membership { household_id: string; name: string; role: Role }

export interface QuickShowAnswer { record: RecordView; url: string; expires_in: number }
