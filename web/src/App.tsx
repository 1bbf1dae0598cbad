// The app's frame: who is signed in, the routes, the "waking up" note, and sign-out.
import { useEffect, useState } from "react";
import { setWakingListener } from "./api";
import { signedInUser, signOut } from "./auth";
import { chooseHousehold } from "./household";
import { match, navigate, queryParam, useLocation } from "./router";
import { Ask } from "./screens/Ask";
import { Forgot, SignIn, SignUp } from "./screens/Auth";
import { Dashboard } from "./screens/Dashboard";
import { Household, Join } from "./screens/Household";
import { Passports } from "./screens/Passports";
import { Pet } from "./screens/Pet";
import { QuickShow } from "./screens/QuickShow";
import { Review } from "./screens/Review";
import { Link, Title } from "./ui";

const PUBLIC = ["/sign-in", "/sign-up", "/forgot", "/p/"];

function Screen({ path, onSignedIn }: { path: string; onSignedIn: () => void }) {
  let params: Record<string, string> | null;
  if (match("/sign-in", path)) return <SignIn onSignedIn={onSignedIn} />;
  // CloudFront answers a path it has no file for with index.html: a revoked or expired passport lands here.
  if (path.startsWith("/p/")) return <main><Title>This passport is no longer shared</Title><p>Ask its owner for a new link.</p></main>;
  if (match("/sign-up", path)) return <SignUp />;
  if (match("/forgot", path)) return <Forgot />;
  if (match("/", path)) return <Dashboard />;
  if ((params = match("/pets/:id/show", path))) return <QuickShow petId={params.id} />;
  if ((params = match("/pets/:id/review", path))) return <Review petId={params.id} />;
  if ((params = match("/pets/:id", path))) return <Pet petId={params.id} />;
  if (match("/household", path)) return <Household />;
  if (match("/join", path)) return <main><Title>Join a household</Title><Join /></main>;
  if (match("/passports", path)) return <Passports />;
  if (match("/ask", path)) return <Ask />;
  return <main><Title>Not found</Title><p><Link to="/">Back to the dashboard</Link></p></main>;
}

export function App() {
  const path = useLocation();
  const [user, setUser] = useState(signedInUser());
  const [waking, setWaking] = useState(false);
  useEffect(() => setWakingListener(setWaking), []);
  const household = queryParam("household");   // a reminder mail's link names the pet's household
  if (household) chooseHousehold(household);
  const isPublic = PUBLIC.some((p) => path.startsWith(p));
  useEffect(() => {
    if (!user && !isPublic) navigate(`/sign-in`);
    if (user && isPublic && !path.startsWith("/p/")) navigate("/");
  }, [user, isPublic, path]);
  const out = async () => { await signOut(); setUser(null); navigate("/sign-in"); };
  return (
    <>
      <a className="skip" href="#content">Skip to content</a>
      <header className="top">
        <Link to="/" className="brand">Pawport</Link>
        {user && (
          <nav aria-label="Main">
            <Link to="/household">Household</Link>
            <Link to="/passports">Passports</Link>
            <Link to="/ask">Ask</Link>
            <button type="button" className="link" onClick={out}>Sign out</button>
          </nav>
        )}
      </header>
      {waking && <p className="waking" role="status" aria-live="polite">Waking up, one moment…</p>}
      <div id="content">
        {(user || isPublic) && <Screen key={path} path={path} onSignedIn={() => { setUser(signedInUser()); navigate("/"); }} />}
      </div>
    </>
  );
}
