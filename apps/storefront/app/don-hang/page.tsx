import type { Metadata } from 'next';
import { getLang } from '../../lib/lang';
import { t } from '../../lib/i18n';
import { trackOrder } from '../actions';

export const metadata: Metadata = { title: 'Tra đơn hàng' };

export default async function TrackPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const lang = await getLang();
  const sp = await searchParams;
  return (
    <>
      <h1>{t(lang, 'track')}</h1>
      <p className="muted">{t(lang, 'trackHint')}</p>
      {sp.error && <p className="alert">Mã đơn không hợp lệ / The order code is not valid</p>}
      <form action={trackOrder}>
        <div className="field">
          <label htmlFor="code">{t(lang, 'orderCode')}</label>
          <input id="code" name="code" required placeholder="TA-251123-0001" autoCapitalize="characters" />
        </div>
        <div className="field">
          <label htmlFor="phone">{t(lang, 'phone')}</label>
          <input id="phone" name="phone" type="tel" inputMode="tel" required />
        </div>
        <button type="submit">{t(lang, 'trackButton')}</button>
      </form>
    </>
  );
}
