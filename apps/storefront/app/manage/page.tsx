import type { Metadata } from 'next';
import { BarChart } from '../../components/manage-bar-chart';
import { formatDate, formatVnd } from '../../lib/format';
import { pick } from '../../lib/i18n';
import { getLang } from '../../lib/lang';
import { channelLabel, manageApi, type SalesReport } from '../../lib/manage-api';

export const metadata: Metadata = { title: 'Quản lý / Manage', robots: { index: false } };

/** Today's calendar date in Vietnam, n days back. */
function vnDay(daysBack: number): string {
  const now = new Date(Date.now() + 7 * 3600_000 - daysBack * 86_400_000);
  return now.toISOString().slice(0, 10);
}

const compactVnd = (n: number) => (n >= 1_000_000 ? `${(n / 1_000_000).toLocaleString('vi-VN', { maximumFractionDigits: 1 })} tr ₫` : formatVnd(n));

export default async function Dashboard() {
  const lang = await getLang();
  const from = vnDay(29);
  const to = vnDay(0);
  const r = await manageApi<SalesReport>(`/api/manage/reports/sales?from=${from}&to=${to}`);
  const short = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}`;
  return (
    <>
      <h1>{pick(lang, 'Tổng quan', 'Dashboard')}</h1>
      <p className="muted">
        30 {pick(lang, 'ngày', 'days')}: {formatDate(r.from)} – {formatDate(r.to)}
      </p>
      <div className="kpis">
        <div>
          <span className="muted">{pick(lang, 'Đơn hàng', 'Orders')}</span>
          <strong data-testid="kpi-orders">{r.orders}</strong>
        </div>
        <div>
          <span className="muted">{pick(lang, 'Doanh thu', 'Revenue')}</span>
          <strong>{formatVnd(r.revenue)}</strong>
        </div>
        <div>
          <span className="muted">{pick(lang, 'Giá trị TB', 'Avg. order')}</span>
          <strong>{formatVnd(r.averageOrderValue)}</strong>
        </div>
        <div>
          <span className="muted">{pick(lang, 'Hủy · trả', 'Cancelled · returned')}</span>
          <strong>
            {r.cancelledOrders} · {r.returnedOrders}
          </strong>
        </div>
      </div>
      <BarChart lang={lang} title={pick(lang, 'Đơn mỗi ngày', 'Orders a day')} data={r.days.map((d) => ({ label: short(d.day), value: d.orders }))} format={(n) => String(n)} />
      <BarChart lang={lang} title={pick(lang, 'Doanh thu mỗi ngày', 'Revenue a day')} data={r.days.map((d) => ({ label: short(d.day), value: d.revenue }))} format={compactVnd} />
      <h2>{pick(lang, 'Theo kênh', 'By channel')}</h2>
      <div className="share" role="img" aria-label="share by channel">
        {r.byChannel.map((c, i) => (
          <span key={c.channel} style={{ width: `${Math.round(c.revenueShare * 1000) / 10}%` }} className={`share-${i % 3}`} />
        ))}
      </div>
      <table>
        <tbody>
          {r.byChannel.map((c, i) => (
            <tr key={c.channel}>
              <td>
                <span className={`dot share-${i % 3}`} /> {channelLabel(c.channel, lang)}
              </td>
              <td className="num">{c.orders} {pick(lang, 'đơn', 'orders')}</td>
              <td className="num">{formatVnd(c.revenue)}</td>
              <td className="num">{Math.round(c.revenueShare * 100)}%</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{pick(lang, 'Bán chạy', 'Top products')}</h2>
      <table>
        <tbody>
          {r.topProducts.map((p) => (
            <tr key={p.variantId}>
              <td>
                {p.productNameVi} — {p.variantNameVi}
                <div className="muted">{p.sku}</div>
              </td>
              <td className="num">×{p.quantity}</td>
              <td className="num">{formatVnd(p.revenue)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
