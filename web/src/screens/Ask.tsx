// Ask about the pets in plain words: the answer rests on the household's records and names them.
// Opening the screen wakes Aurora ahead (the ask commits there), as draft review does.
import { type FormEvent, useEffect, useRef, useState } from "react";
import { post } from "../api";
import { ask, type AskView, budget, type Budget, estimatedProgress, overBudget, type OverBudget, readAsk, untilSettled, usd } from "../asks";
import { currentHousehold, dashboard } from "../household";
import type { Dashboard, Membership } from "../types";
import { Empty, ErrorNote, errorText, Link, Loading, Title, useAsync } from "../ui";

const EXAMPLES = ["Is Ollie cleared for boarding on 3 December?", "What is due before our trip on 20 January?",
  "Which vaccines did Riverside give?"];

type Asking =
  | { state: "idle" }
  | { state: "pending"; question: string; progress: number }
  | { state: "settled"; view: AskView }
  | { state: "over-budget"; refusal: OverBudget }
  | { state: "error"; message: string };

export function Ask() {
  const state = useAsync(async () => {
    const household = await currentHousehold();
    return household && { household, board: await dashboard(household.household_id) };
  }, []);
  if (state.error) return <main><ErrorNote error={state.error} retry={state.reload} /></main>;
  if (state.loading) return <main><Loading what="your household" /></main>;
  if (!state.data) return <main><Title>Ask</Title><Empty><p>Join or create a household first.</p></Empty></main>;
  const { household, board } = state.data;
  return (
    <main>
      <p><Link to="/">← Dashboard</Link></p>
      <Title>Ask about your pets</Title>
      <p className="hint">Answers rest on the records of {household.name}.</p>
      {household.role === "viewer"
        ? <Empty><p>Viewers can look at the records but not ask about them. An owner of {household.name} can make you an editor.</p></Empty>
        : board.pets.every((p) => p.records.length === 0)
          ? <Empty><p>There are no records to ask about yet. <Link to="/">Add a pet’s records</Link> first: answers rest on them.</p></Empty>
          : <Asker household={household} board={board} />}
    </main>
  );
}

function Asker({ household, board }: { household: Membership; board: Dashboard }) {
  const [question, setQuestion] = useState("");
  const [asking, setAsking] = useState<Asking>({ state: "idle" });
  const [rounds, setRounds] = useState(0);   // each ask brings a new figure beside the box
  const left = useRef(false);
  useEffect(() => {
    post("/warmup", {}).catch(() => undefined);   // a head start only: the ask itself waits if it must
    return () => { left.current = true; };
  }, []);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const asked = question.trim();
    if (!asked || asking.state === "pending") return;
    setAsking({ state: "pending", question: asked, progress: 0 });
    try {
      const { request_id } = await ask(household.household_id, asked);
      const view = await untilSettled({
        read: () => readAsk(request_id), now: Date.now, cancelled: () => left.current,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        onWait: (elapsed) => setAsking({ state: "pending", question: asked, progress: estimatedProgress(elapsed) }),
      });
      if (view) setAsking({ state: "settled", view });
    } catch (error) {
      const refusal = overBudget(error);
      setAsking(refusal ? { state: "over-budget", refusal } : { state: "error", message: errorText(error) });
    }
    setRounds((n) => n + 1);
  };
  const busy = asking.state === "pending";
  return (
    <div className="ask-layout">
      <form className="card" onSubmit={submit} aria-labelledby="ask-heading">
        <h2 id="ask-heading">Your question</h2>
        <label className="field"><span>Question</span>
          <textarea required maxLength={500} rows={3} value={question} onChange={(e) => setQuestion(e.target.value)}
            aria-describedby="ask-hint" disabled={busy} />
        </label>
        <p className="hint" id="ask-hint">For example: {EXAMPLES.map((e) => `“${e}”`).join(", ")}</p>
        <button className="primary" disabled={busy}>{busy ? "Asking…" : "Ask"}</button>
      </form>
      {household.role === "owner" && <BudgetNote householdId={household.household_id} round={rounds} />}
      <Outcome asking={asking} board={board} />
    </div>
  );
}

function Outcome({ asking, board }: { asking: Asking; board: Dashboard }) {
  if (asking.state === "idle") return null;
  if (asking.state === "pending") {
    return (
      <section className="card" aria-labelledby="answer" aria-busy="true">
        <h2 id="answer">Answer</h2>
        <p role="status">Reading the records for “{asking.question}”…</p>
        <progress max={1} value={asking.progress} aria-label="Answer on its way" />
      </section>
    );
  }
  if (asking.state === "over-budget") {
    const { left_usd, budget_usd, resets_on } = asking.refusal;
    return (
      <section className="banner" role="status" aria-labelledby="answer">
        <h2 id="answer">This month’s question budget is used up</h2>
        <p>{usd(left_usd)} left of {usd(budget_usd)}; nothing was sent. It starts again on {longDate(resets_on)}.
          An owner can raise the budget.</p>
      </section>
    );
  }
  if (asking.state === "error") return <section className="card" aria-labelledby="answer"><h2 id="answer">Answer</h2><ErrorNote error={asking.message} /></section>;
  return <Answer view={asking.view} board={board} />;
}

function Answer({ view, board }: { view: AskView; board: Dashboard }) {
  const petOf = new Map(board.pets.flatMap((p) => p.records.map((r) => [r.id, p.id] as const)));
  if (view.status !== "answered") {
    const why = view.status === "refused" ? "Pawport could not answer that question" : "Something went wrong while answering";
    return (
      <section className="card" aria-labelledby="answer">
        <h2 id="answer">No answer</h2>
        <p role="alert">{why}{view.reason ? `: ${view.reason}` : ""}. Please ask again, perhaps in other words.</p>
      </section>
    );
  }
  return (
    <section className="card answer" aria-labelledby="answer">
      <h2 id="answer">Answer</h2>
      <p className="hint">You asked: “{view.question}”</p>
      <p className="answer-text" data-testid="answer">{view.answer}</p>
      <p className={view.sufficient ? "banner calm" : "banner"} data-testid="sufficiency">
        {view.sufficient ? "The records settle this." : "The records do not settle this: check with your vet."}
      </p>
      {view.records.length > 0 && (
        <>
          <h3>Based on these records</h3>
          <ul className="asked-records">
            {view.records.map((r) => {
              const pet = petOf.get(r.record_id);
              const name = `${r.pet_name}: ${r.vaccine}`;
              return <li key={r.record_id} data-record-id={r.record_id}>{pet ? <Link to={`/pets/${pet}`}>{name}</Link> : name}</li>;
            })}
          </ul>
        </>
      )}
    </section>
  );
}

// Owners see what this month's questions and readings have cost, beside the box.
function BudgetNote({ householdId, round }: { householdId: string; round: number }) {
  const state = useAsync<Budget>(() => budget(householdId), [householdId, round]);
  if (state.error) return <p className="hint" role="status">The budget could not be read: {errorText(state.error)}</p>;
  if (!state.data) return <Loading what="the budget" />;
  const b = state.data;
  return (
    <aside className="card budget" aria-labelledby="budget">
      <h2 id="budget">This month’s budget</h2>
      <p><strong>{usd(b.left_usd)}</strong> left of {usd(b.budget_usd)}</p>
      <p className="hint">Spent {usd(b.spent_usd)}{b.reserved_usd > 0 ? `, ${usd(b.reserved_usd)} held for answers on their way` : ""}.
        Starts again on {longDate(b.resets_on)}.</p>
    </aside>
  );
}

function longDate(iso: string): string {
  const day = new Date(`${iso}T12:00:00`);
  return Number.isNaN(day.getTime()) ? iso : day.toLocaleDateString(undefined, { day: "numeric", month: "long", year: "numeric" });
}
