// The runtime config: served by the static server locally, deployed next to index.html in AWS,
// so one build runs against any pool.
export interface Config {
  region: string;
  userPoolId: string;
  clientId: string;
  cognitoEndpoint?: string;   // set locally (moto); absent in AWS, where the library finds Cognito itself
}

let loaded: Config | null = null;

export async function loadConfig(): Promise<Config> {
  if (!loaded) {
    const answer = await fetch("/config.json", { cache: "no-cache" });
    if (!answer.ok) throw new Error("the app's configuration could not be loaded");
    loaded = (await answer.json()) as Config;
  }
  return loaded;
}

export function config(): Config {
  if (!loaded) throw new Error("config not loaded");
  return loaded;
}
