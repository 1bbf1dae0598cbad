import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { loadConfig } from "./config";
import "./styles.css";

// The app shell offline: the service worker keeps index.html, the assets and config.json.
if ("serviceWorker" in navigator) void navigator.serviceWorker.register("/sw.js").catch(() => undefined);

const root = createRoot(document.getElementById("root")!);
loadConfig().then(
  () => root.render(<StrictMode><App /></StrictMode>),
  (error: Error) => root.render(<main><h1>Pawport cannot start</h1><p role="alert">{error.message}</p></main>),
);
