// Signing in and registering. The session token lives in localStorage, so
// a reader stays signed in across stories; it goes out as
// `Authorization: Bearer` on every request and in the subscription's
// connection_init.

import type { Client } from './api.js';
import { explain } from './comments.js';
import { h } from './dom.js';
import { RegisterDocument, SignInDocument, SignOutDocument, type ViewerPartsFragment } from './gql/graphql.js';

const KEY = 'dateline.session';

export function storedToken(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

function store(token: string | null): void {
  try {
    if (token) localStorage.setItem(KEY, token);
    else localStorage.removeItem(KEY);
  } catch {
    // Storage refused (private mode): the session lasts this page only.
  }
}

let memory: string | null = storedToken();

export function token(): string | null {
  return memory;
}

export function forget(): void {
  memory = null;
  store(null);
}

type Mode = 'sign-in' | 'register';

/**
 * The panel above the comment box: who is signed in, or the two forms.
 * `changed` runs after the reader signs in, registers or signs out.
 */
export function accountPanel(
  client: Client,
  viewer: ViewerPartsFragment | null,
  changed: () => void,
): { panel: HTMLElement; ask(why: string): void } {
  const panel = h('div', { class: 'account', id: 'account' });
  if (viewer) {
    const out = h('button', { type: 'button', class: 'link' }, 'Sign out');
    out.addEventListener('click', async () => {
      out.disabled = true;
      try {
        await client.mutate(SignOutDocument, {});
      } catch {
        // The token is dropped here either way.
      }
      forget();
      changed();
    });
    panel.append(h('p', {}, 'Signed in as ', h('strong', {}, viewer.displayName), ' · ', out));
    return { panel, ask: () => panel.querySelector('button')?.focus() };
  }

  const why = h('p', { class: 'why', role: 'status' });
  const slot = h('div', {});
  const show = (mode: Mode) => {
    slot.replaceChildren(form(mode));
    slot.querySelector('input')?.focus();
  };
  const form = (mode: Mode): HTMLFormElement => {
    const email = h('input', { id: 'account-email', name: 'email', type: 'email', autocomplete: 'email', required: true });
    const password = h('input', {
      id: 'account-password',
      name: 'password',
      type: 'password',
      autocomplete: mode === 'register' ? 'new-password' : 'current-password',
      minlength: mode === 'register' ? 10 : null,
      required: true,
    });
    const name = h('input', { id: 'account-name', name: 'displayName', autocomplete: 'nickname', maxlength: 80, required: true });
    const error = h('p', { class: 'form-error', role: 'alert' });
    const submit = h('button', { type: 'submit' }, mode === 'register' ? 'Create account' : 'Sign in');
    const f = h(
      'form',
      { class: 'account-form', 'aria-label': mode === 'register' ? 'Register' : 'Sign in' },
      mode === 'register' ? h('div', { class: 'field' }, h('label', { for: 'account-name' }, 'Display name'), name) : null,
      h('div', { class: 'field' }, h('label', { for: 'account-email' }, 'Email'), email),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'account-password' }, 'Password'),
        password,
        mode === 'register' ? h('small', {}, 'At least 10 characters.') : null,
      ),
      error,
      h('div', { class: 'actions' }, submit),
    );
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      submit.disabled = true;
      error.textContent = '';
      try {
        const auth =
          mode === 'register'
            ? (
                await client.mutate(RegisterDocument, {
                  input: { email: email.value, password: password.value, displayName: name.value },
                })
              ).register
            : (await client.mutate(SignInDocument, { input: { email: email.value, password: password.value } })).signIn;
        memory = auth.token;
        store(auth.token);
        changed();
      } catch (err) {
        error.textContent = explain(err);
        submit.disabled = false;
      }
    });
    return f;
  };
  panel.append(
    h('p', { class: 'join' }, 'Join the discussion! ', h('button', { type: 'button', class: 'link', onclick: () => show('sign-in') }, 'Sign in'), ' or ', h('button', { type: 'button', class: 'link', onclick: () => show('register') }, 'register'), ' to comment.'),
    why,
    slot,
  );
  return {
    panel,
    ask: (text: string) => {
      why.textContent = text;
      show('sign-in');
      panel.scrollIntoView({ block: 'center' });
    },
  };
}
