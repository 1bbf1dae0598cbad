// Small pieces every screen uses: links, status chips, portraits, and loading / error / empty states.
import { type ReactNode, type MouseEvent, useCallback, useEffect, useRef, useState } from "react";
import { navigate } from "./router";
import { look } from "./status";
import type { Status } from "./types";

export function Link({ to, children, className }: { to: string; children: ReactNode; className?: string }) {
  const go = (event: MouseEvent) => { event.preventDefault(); navigate(to); };
  return <a href={to} onClick={go} className={className}>{children}</a>;
}

export function StatusChip({ status }: { status: Status }) {
  const { colour, label } = look(status);
  return <span className="chip" style={{ borderColor: colour, color: colour }} data-status={status}>{label}</span>;
}

export function Portrait({ name, status, photo }: { name: string; status: Status; photo?: string | null }) {
  const { colour, label } = look(status);
  return (
    <span className="portrait" style={{ boxShadow: `0 0 0 4px ${colour}` }} role="img" aria-label={`${name}: ${label}`}>
      {photo ? <img src={photo} alt="" /> : <span aria-hidden="true">{name.slice(0, 1).toUpperCase()}</span>}
    </span>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="loading" role="status" aria-live="polite">Loading {what}…</p>;
}

export function ErrorNote({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="error" role="alert">
      <p>{error instanceof Error ? error.message : String(error)}</p>
      {retry && <button type="button" onClick={retry}>Try again</button>}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

export interface Async<T> { data: T | null; error: unknown; loading: boolean; reload: () => void }

// Loads on mount and on `reload`; the screen renders its loading, error or empty state from it.
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>(
    { data: null, error: null, loading: true });
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const mine = ++latest.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    load().then((data) => mine === latest.current && setState({ data, error: null, loading: false }),
      (error) => mine === latest.current && setState({ data: null, error, loading: false }));
    // the caller names what the load depends on; `load` itself is a new closure on every render
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { ...state, reload };
}

// A heading that takes focus when the screen opens, so a screen reader starts where the screen does.
export function Title({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => { ref.current?.focus(); }, []);
  return <h1 tabIndex={-1} ref={ref}>{children}</h1>;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
