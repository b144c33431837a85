/**
 * The demo page's script: signs in with the local development issuer, then drives a token
 * session from the browser client. The ID token lives in a variable only, never in storage.
 */
import {
  createTokenSession,
  type Grant,
  type Grants,
  type TokenSession,
  type TokenSessionError,
} from '../browser-client/token-session.js';

const TOKEN_ENDPOINT = '/token';
const ID_TOKEN_ENDPOINT = '/local/id-token';
const COOKIE_NAME = '__Host-cartesia_token';

const element = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const button = (id: string) => element<HTMLButtonElement>(id);
const checkedValues = (form: HTMLFormElement, name: string) =>
  [...form.querySelectorAll<HTMLInputElement>(`input[name="${name}"]:checked`)].map((input) => input.value);

let idToken: string | undefined;
let session: TokenSession | undefined;
let countdown: ReturnType<typeof setInterval> | undefined;
let minted = 0;

function log(message: string) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()}  ${message}`;
  element('log').append(item);
}

function setText(id: string, text: string) {
  element(id).textContent = text;
}

function setSignedIn(description: string | undefined) {
  setText('identity', description ?? 'Not signed in.');
  button('start').disabled = !description;
}

function showCountdown(expiresAt: Date | undefined) {
  clearInterval(countdown);
  const render = () => {
    if (!expiresAt) return setText('countdown', 'Not applicable');
    const seconds = Math.max(0, Math.ceil((expiresAt.getTime() - Date.now()) / 1000));
    setText('countdown', `${seconds} s`);
  };
  render();
  if (expiresAt) countdown = setInterval(render, 250);
}

const describeError = (error: TokenSessionError) =>
  `${error.status ?? 'no answer'} ${error.code}: ${error.message}` +
  (error.fatal ? ' Refreshing stopped.' : ` Retrying in ${(error.retryInMs ?? 0) / 1000} s.`);

async function signIn(event: SubmitEvent) {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const username = element<HTMLInputElement>('username').value.trim();
  const groups = checkedValues(form, 'group');
  const response = await fetch(ID_TOKEN_ENDPOINT, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, groups }),
  });
  if (response.status === 404) {
    log('The development issuer is off (Cognito mode): use an ID token of your own.');
    return;
  }
  if (!response.ok) {
    const { error } = await response.json();
    log(`Sign-in failed: ${error.message}`);
    return;
  }
  idToken = (await response.json()).id_token;
  setSignedIn(`Signed in as ${username}${groups.length ? ` (groups: ${groups.join(', ')})` : ' (no groups)'}.`);
  log(`signed in as ${username}`);
}

function useOwnIdToken() {
  const field = element<HTMLTextAreaElement>('own-id-token');
  const token = field.value.trim();
  field.value = '';
  if (!token) return;
  idToken = token;
  setSignedIn('Signed in with your own ID token.');
  log('using an ID token of your own');
}

async function startSession(event: SubmitEvent) {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const grants: Grants = Object.fromEntries(checkedValues(form, 'grant').map((grant) => [grant as Grant, true]));
  session?.stop();
  session = createTokenSession({
    endpoint: TOKEN_ENDPOINT,
    getIdToken: () => {
      if (!idToken) throw new Error('not signed in');
      return idToken;
    },
    grants,
    expiresIn: Number(element<HTMLInputElement>('expires-in').value),
    refreshMargin: Number(element<HTMLInputElement>('refresh-margin').value),
  });
  session.on('refreshed', (token) => {
    minted++;
    setText('mint-count', String(minted));
    setText('granted', Object.keys(token.grants).join(', '));
    setText('expires-at', token.expiresAt.toLocaleTimeString());
    setText('session-status', 'Token valid: it is refreshed automatically before it expires.');
    showCountdown(token.expiresAt);
    log(`${minted === 1 ? 'minted' : 'refreshed'}: ${Object.keys(token.grants).join(', ')} for ${token.expiresIn} s`);
  });
  session.on('expired', () => {
    setText('session-status', 'Expired: no new token arrived in time.');
    log('expired');
  });
  session.on('error', (error) => {
    setText('session-status', describeError(error));
    log(`error: ${describeError(error)}`);
  });
  button('stop').disabled = false;
  button('sign-out').disabled = false;
  minted = 0;
  await session.start();
}

function stopSession() {
  session?.stop();
  setText('session-status', 'Refreshing stopped. The cookie stays until it expires.');
  log('stopped refreshing');
}

async function signOut() {
  if (!session) return;
  try {
    await session.signOut();
    setText('session-status', 'Signed out: the service expired the cookie.');
    setText('granted', 'None');
    setText('expires-at', 'Not applicable');
    showCountdown(undefined);
    log('signed out (DELETE /token answered 204)');
  } catch (error) {
    log(`sign-out failed: ${(error as Error).message}`);
  }
}

function tryToReadCookie() {
  const visible = document.cookie;
  setText(
    'cookie-result',
    visible.includes(COOKIE_NAME)
      ? 'The token cookie is visible to page script. It should never be!'
      : `No. document.cookie is ${visible ? JSON.stringify(visible) : 'empty'}: the token cookie is HttpOnly, so no page script can read it.`,
  );
}

element<HTMLFormElement>('sign-in-form').addEventListener('submit', signIn);
element<HTMLFormElement>('session-form').addEventListener('submit', startSession);
button('use-own-id-token').addEventListener('click', useOwnIdToken);
button('stop').addEventListener('click', stopSession);
button('sign-out').addEventListener('click', signOut);
button('read-cookie').addEventListener('click', tryToReadCookie);
