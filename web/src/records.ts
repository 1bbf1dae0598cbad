// Records of a pet: uploads straight to S3 with api's presigned form (with progress), and control's edits.
import { api, control, post } from "./api";
import type { RecordView } from "./types";

export const ACCEPTED = ["application/pdf", "image/jpeg", "image/png", "image/webp", "image/heic"];

interface UploadForm { upload_id: string; url: string; fields: Record<string, string>; max_bytes: number }

export interface RecordFields { vaccine: string; administered_on: string | null; expires_on: string | null; clinic: string | null }

// A phone's HEIC photo often arrives with no type: its extension names it.
export function contentType(file: File): string {
  if (file.type) return file.type;
  return /\.heic$/i.test(file.name) ? "image/heic" : "application/octet-stream";
}

// One file: the form from the api, then a multipart POST to S3 reporting progress (0..1).
export async function upload(petId: string, file: File, progress: (fraction: number) => void): Promise<string> {
  const form = await post<UploadForm>(`/pets/${petId}/records/uploads`, { file_name: file.name, content_type: contentType(file) }, api);
  return send(form, file, progress);
}

// The pet's photo: the same presigned POST; workers make the square picture the dashboard shows.
export async function uploadPhoto(petId: string, file: File): Promise<string> {
  const form = await post<UploadForm>(`/pets/${petId}/photo/uploads`, { content_type: contentType(file) }, api);
  return send(form, file, () => undefined);
}

async function send(form: UploadForm, file: File, progress: (fraction: number) => void): Promise<string> {
  if (file.size > form.max_bytes) throw new Error(`${file.name} is larger than ${Math.round(form.max_bytes / 1048576)} MB`);
  const data = new FormData();
  Object.entries(form.fields).forEach(([name, value]) => data.append(name, value));
  data.append("file", file);
  await new Promise<void>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", form.url);
    request.upload.onprogress = (event) => event.lengthComputable && progress(event.loaded / event.total);
    request.onload = () => (request.status < 300 ? resolve() : reject(new Error(`the upload was refused (${request.status})`)));
    request.onerror = () => reject(new Error("the upload did not reach the storage; check the connection"));
    request.send(data);
  });
  progress(1);
  return form.upload_id;
}

export function addRecord(petId: string, fields: RecordFields, uploadId?: string): Promise<RecordView> {
  return post(`/pets/${petId}/records`, { ...fields, ...(uploadId ? { upload_id: uploadId } : {}) });
}

export function updateRecord(petId: string, recordId: string, fields: RecordFields): Promise<RecordView> {
  return control(`/pets/${petId}/records/${recordId}`, { method: "PUT", body: JSON.stringify(fields) });
}

export function deleteRecord(petId: string, recordId: string): Promise<unknown> {
  return control(`/pets/${petId}/records/${recordId}`, { method: "DELETE" });
}

export async function openDocument(petId: string, recordId: string): Promise<void> {
  const link = await api<{ url: string }>(`/pets/${petId}/records/${recordId}/document`);
  window.open(link.url, "_blank", "noopener");
}

export interface PetChanges { name?: string; species?: string; breed?: string | null; birth_date?: string | null; microchip?: string | null }

export function updatePet(petId: string, changes: PetChanges): Promise<unknown> {
  return control(`/pets/${petId}`, { method: "PATCH", body: JSON.stringify(changes) });
}

export function removePet(petId: string): Promise<unknown> {
  return control(`/pets/${petId}`, { method: "DELETE" });
}
