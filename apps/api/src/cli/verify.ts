import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { CHECKS, formatReport, runIntegrityChecks, type CheckId } from './integrity';

/**
 * `npm run verify [-- DATABASE_URL] [--json] [--only=orders,inventory,trace,payments]`
 *
 * Checks that a database (typically one just restored from a backup) is internally consistent: order totals and
 * allocations, the inventory ledger, every lot's trace hash chain, payment intents against orders. Prints a
 * report; exit code 0 = consistent, 1 = problems found, 2 = could not run (bad arguments, database unreachable).
 */
const USAGE = `Cách dùng / Usage: npm run verify -- [DATABASE_URL] [--json] [--only=${Object.keys(CHECKS).join(',')}]
  DATABASE_URL mặc định lấy từ biến môi trường / defaults to the DATABASE_URL environment variable (or .env).
  Mã thoát / exit code: 0 = đạt / passed, 1 = có lỗi dữ liệu / problems found, 2 = không chạy được / could not run.`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

/** The URL without its password, for printing. */
function describe(url: string): string {
  try {
    const u = new URL(url);
    return `${decodeURIComponent(u.pathname.slice(1))} (${u.hostname}:${u.port || 5432})`;
  } catch {
    return '(URL không đọc được / unreadable URL)';
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const json = args.includes('--json');
  let only = Object.keys(CHECKS) as CheckId[];
  const positional: string[] = [];
  for (const a of args) {
    if (a === '--json') continue;
    if (a.startsWith('--only=')) {
      const wanted = a.slice('--only='.length).split(',').filter(Boolean);
      const unknown = wanted.filter((w) => !(w in CHECKS));
      if (unknown.length || !wanted.length) fail(`Không có kiểm tra / Unknown check: ${unknown.join(', ') || '(none)'}`);
      only = wanted as CheckId[];
    } else if (a.startsWith('-')) fail(`Tuỳ chọn không hợp lệ / Unknown option: ${a}`);
    else positional.push(a);
  }
  if (positional.length > 1) fail('Chỉ nhận một DATABASE_URL / Expected at most one DATABASE_URL');
  if (!positional.length && !process.env.DATABASE_URL && existsSync('.env')) process.loadEnvFile('.env');
  const url = positional[0] ?? process.env.DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) fail('Thiếu DATABASE_URL hợp lệ / A postgres:// DATABASE_URL is required');

  const db = new Client({ connectionString: url, application_name: 'htx-verify' });
  try {
    await db.connect();
  } catch (e) {
    fail(`Không kết nối được cơ sở dữ liệu / Cannot connect to the database ${describe(url)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    const report = await runIntegrityChecks(db, only);
    process.stdout.write(json ? `${JSON.stringify({ database: describe(url), ...report }, null, 2)}\n` : formatReport(report, describe(url)));
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await db.end();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`Kiểm tra bị lỗi / The check could not run: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(2);
});
