// Sign-in through Cognito (amazon-cognito-identity-js, SRP): the same code against moto's pool
// locally and a real pool in AWS; only the endpoint differs (config.json).
import {
  AuthenticationDetails, CognitoRefreshToken, CognitoUser, CognitoUserAttribute, CognitoUserPool, CognitoUserSession,
} from "amazon-cognito-identity-js";
import { config } from "./config";
import { wipeAll } from "./offline";
import { needsRefresh, scheduleRefresh, tokenClaims, tokenExpiry } from "./refresh";

const USER_KEY = "pawport.user";   // the signed-in person's sub, readable offline with an expired token

let pool: CognitoUserPool | null = null;
let cancelRefresh: (() => void) | null = null;

function userPool(): CognitoUserPool {
  const c = config();
  pool ??= new CognitoUserPool({ UserPoolId: c.userPoolId, ClientId: c.clientId, endpoint: c.cognitoEndpoint });
  return pool;
}

function cognitoUser(email: string): CognitoUser {
  return new CognitoUser({ Username: email.trim().toLowerCase(), Pool: userPool() });
}

function callback<T>(run: (done: (error: Error | undefined | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as T))));
}

export function signIn(email: string, password: string): Promise<void> {
  const user = cognitoUser(email);
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: email.trim().toLowerCase(), Password: password }), {
      onSuccess: (session) => { started(session); resolve(); },
      onFailure: reject,
      newPasswordRequired: () => reject(new Error("this account needs a new password: use \u201cforgotten password\u201d")),
      totpRequired: () => reject(new Error("this account uses an authenticator app, which this app does not ask for yet")),
    });
  });
}

export function signUp(email: string, password: string): Promise<unknown> {
  const attributes = [new CognitoUserAttribute({ Name: "email", Value: email.trim().toLowerCase() })];
  return callback((done) => userPool().signUp(email.trim().toLowerCase(), password, attributes, [], done));
}

export function confirmSignUp(email: string, code: string): Promise<unknown> {
  return callback((done) => cognitoUser(email).confirmRegistration(code.trim(), true, done));
}

export function resendCode(email: string): Promise<unknown> {
  return callback((done) => cognitoUser(email).resendConfirmationCode(done));
}

export function forgotPassword(email: string): Promise<void> {
  return new Promise((resolve, reject) => cognitoUser(email).forgotPassword({
    onSuccess: () => resolve(), onFailure: reject, inputVerificationCode: () => resolve(),
  }));
}

export function confirmNewPassword(email: string, code: string, password: string): Promise<void> {
  return new Promise((resolve, reject) => cognitoUser(email).confirmPassword(code.trim(), password, {
    onSuccess: () => resolve(), onFailure: reject,
  }));
}

function started(session: CognitoUserSession): void {
  const id = session.getIdToken().getJwtToken();
  localStorage.setItem(USER_KEY, String(tokenClaims(id).sub));
  cancelRefresh?.();
  cancelRefresh = scheduleRefresh(tokenExpiry(id), () => void idToken(true).catch(() => undefined));
}

// Who is signed in on this device, even offline with an expired token: the door copy is theirs.
export function signedInUser(): string | null {
  return localStorage.getItem(USER_KEY) && userPool().getCurrentUser() ? localStorage.getItem(USER_KEY) : null;
}

function stored(user: CognitoUser): Promise<CognitoUserSession> {
  return callback((done) => user.getSession(done));
}

// A valid Id token, refreshed first when it is close to expiry (or when `force`d, after a 401).
export async function idToken(force = false): Promise<string> {
  const user = userPool().getCurrentUser();
  if (!user) throw new SignedOut();
  let session = await stored(user);
  if (force || needsRefresh(tokenExpiry(session.getIdToken().getJwtToken()), Date.now())) {
    const refreshToken = new CognitoRefreshToken({ RefreshToken: session.getRefreshToken().getToken() });
    session = await callback<CognitoUserSession>((done) => user.refreshSession(refreshToken, done));
  }
  started(session);
  return session.getIdToken().getJwtToken();
}

// Signing out forgets everything kept: tokens, the door copy, cached certificates and the app's settings.
export async function signOut(): Promise<void> {
  cancelRefresh?.();
  userPool().getCurrentUser()?.signOut();
  localStorage.clear();
  sessionStorage.clear();
  await wipeAll();
}

export class SignedOut extends Error {
  constructor() { super("signed out"); }
}
