// The signed-in member's own reminder mail in this household: which days before a record expires.
// Nobody sets another member's: a reminder is mail to that person's address.
import { type FormEvent, useEffect, useState } from "react";
import { chooseWindows, myWindows, options, summary, toggled, windowLabel } from "../reminders";
import { ErrorNote, errorText, Loading, useAsync } from "../ui";

export function ReminderSettings({ householdId }: { householdId: string }) {
  const state = useAsync(() => myWindows(householdId), [householdId]);
  const [windows, setWindows] = useState<number[] | null>(null);
  const [saved, setSaved] = useState<number[] | null>(null);
  const [chosen, setChosen] = useState(true);   // false: the member has the default, never having chosen
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    if (state.data) { setWindows(state.data.windows); setSaved(state.data.windows); setChosen(state.data.chosen !== false); }
  }, [state.data]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!windows) return;
    try {
      const answer = await chooseWindows(householdId, windows);
      setSaved(answer.windows);
      setChosen(true);
      setMessage({ ok: true, text: `Saved. ${summary(answer.windows)}` });
    } catch (e) { setMessage({ ok: false, text: errorText(e) }); }
  };
  return (
    <section aria-labelledby="reminders">
      <h2 id="reminders">Your reminder mail</h2>
      {state.loading && <Loading what="your reminder settings" />}
      {state.error != null && <ErrorNote error={state.error} retry={state.reload} />}
      {windows && saved && (
        <form className="card" onSubmit={submit}>
          <fieldset>
            <legend>Mail me before a vaccination expires</legend>
            {options(saved).map((day) => (
              <label className="check" key={day}>
                <input type="checkbox" checked={windows.includes(day)}
                  onChange={(e) => { setWindows(toggled(windows, day, e.target.checked)); setMessage(null); }} />
                {windowLabel(day)}
              </label>
            ))}
          </fieldset>
          <p className="hint">{windows.length === 0 ? "With nothing ticked you get no reminder mail." : summary(windows)}
            {!chosen && " That is the usual choice until you change it."}</p>
          <button>Save reminder settings</button>
          {message && <p role={message.ok ? "status" : "alert"} className={message.ok ? undefined : "error"}>{message.text}</p>}
        </form>
      )}
    </section>
  );
}
