/**
 * Secrets kept out of what the dashboard serves, the HTML report and the run's log entries:
 * the values of environment variables whose names say they are secret (AWS_SECRET_ACCESS_KEY,
 * MILVUS_TOKEN, …), values registered by the code that receives them (storage credentials),
 * and the password of any URL (`redis://:pass@host`). An error message that quotes one (an
 * S3 error, a UDF that printed its config) shows `***` in its place.
 */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|AUTH/i;
/** Shorter values would hide ordinary words and numbers. */
const MIN_SECRET_LENGTH = 6;
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]+@/gi;

/** The environment is read again at most this often: events of skipped rows can come by the thousand. */
const ENV_READ_EVERY_MS = 1_000;

const registered = new Set<string>();
let known: { readonly at: number; readonly secrets: readonly string[] } | null = null;

/**
 * Keeps `value` (a token, a password) out of the dashboard, run reports and events for the life
 * of the process, as `***`. sluice registers the credentials it is given itself; a connector or
 * a script registers the ones it holds (milvusSink's token).
 */
export function registerSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_SECRET_LENGTH || registered.has(value)) return;
  registered.add(value);
  known = null;
}

function secrets(): readonly string[] {
  const now = performance.now();
  if (known === null || now - known.at > ENV_READ_EVERY_MS) known = { at: now, secrets: readSecrets() };
  return known.secrets;
}

function readSecrets(): string[] {
  const fromEnv = Object.entries(process.env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value !== undefined && value.length >= MIN_SECRET_LENGTH)
    .map(([, value]) => value!);
  // Longest first: a secret containing another is replaced whole.
  return [...new Set([...fromEnv, ...registered])].sort((a, b) => b.length - a.length);
}

/** `text` with every secret, in plain and in JSON-escaped form, replaced by `***`. */
export function redactSecrets(text: string): string {
  let out = text.replace(URL_PASSWORD, '$1:***@');
  for (const secret of secrets()) {
    out = out.split(secret).join('***');
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.split(escaped).join('***');
  }
  return out;
}
