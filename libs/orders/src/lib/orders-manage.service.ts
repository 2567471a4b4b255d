import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';
import { DataSource } from 'typeorm';
import { badRequest, toPage, type Page } from '@htx/shared';
import { normaliseVietnameseMobile } from './phone';
import type { ManageOrderListQuery, SalesReportQuery } from './dto';
import type { OrderStatus } from './state-machine';

export interface ManagedOrderRow {
  id: string;
  code: string;
  status: OrderStatus;
  channel: string;
  paymentMethod: string;
  cooperativeId: string;
  customerName: string;
  customerPhone: string;
  provinceName: string;
  communeName: string;
  addressLine: string;
  subtotal: number;
  shippingFee: number;
  total: number;
  itemCount: number;
  placedAt: Date;
}

/** Statuses whose orders count as sales in reports (money received or cash-on-delivery confirmed, not cancelled or returned). */
export const SALE_STATUSES: OrderStatus[] = ['paid', 'confirmed', 'packed', 'shipped', 'delivered'];

const EXPORT_LIMIT = 20000;

@Injectable()
export class OrdersManageService {
  constructor(private readonly ds: DataSource) {}

  private where(q: ManageOrderListQuery, cooperativeId: string | null): { sql: string; params: unknown[] } {
    const params: unknown[] = [];
    const clauses: string[] = [];
    const add = (clause: string, value: unknown) => {
      params.push(value);
      clauses.push(clause.replace('?', `$${params.length}`));
    };
    if (cooperativeId) add('o.cooperative_id = ?', cooperativeId);
    if (q.status) add('o.status = ?', q.status);
    if (q.channel) add('o.channel = ?', q.channel);
    if (q.from && q.to && q.from > q.to) throw badRequest('from must be on or before to');
    if (q.from) add(`o.placed_at >= (?::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`, q.from.slice(0, 10));
    if (q.to) add(`o.placed_at < ((?::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`, q.to.slice(0, 10));
    if (q.q) {
      const phone = normaliseVietnameseMobile(q.q);
      if (phone.ok) add('o.customer_phone = ?', phone.phone);
      else add('o.code LIKE ?', `${q.q.toUpperCase().replace(/[%_\\]/g, '\\$&')}%`);
    }
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  private async rows(q: ManageOrderListQuery, cooperativeId: string | null, limit: number, offset: number): Promise<{ items: ManagedOrderRow[]; total: number }> {
    const { sql, params } = this.where(q, cooperativeId);
    const rows = await this.ds.query(
      `SELECT o.*, count(*) OVER () AS full_count,
              (SELECT coalesce(sum(quantity), 0) FROM order_lines l WHERE l.order_id = o.id)::int AS item_count
       FROM orders o ${sql} ORDER BY o.placed_at DESC, o.code DESC LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    let total = rows.length ? Number(rows[0].full_count) : 0;
    if (!rows.length && offset > 0) {
      const [c] = await this.ds.query(`SELECT count(*)::int AS n FROM orders o ${sql}`, params);
      total = c.n;
    }
    return {
      total,
      items: (rows as Array<Record<string, unknown>>).map((r) => ({
        id: r.id as string,
        code: r.code as string,
        status: r.status as OrderStatus,
        channel: r.channel as string,
        paymentMethod: r.payment_method as string,
        cooperativeId: r.cooperative_id as string,
        customerName: r.customer_name as string,
        customerPhone: r.customer_phone as string,
        provinceName: r.province_name as string,
        communeName: r.commune_name as string,
        addressLine: r.address_line as string,
        subtotal: Number(r.subtotal_vnd),
        shippingFee: Number(r.shipping_fee_vnd),
        total: Number(r.total_vnd),
        itemCount: r.item_count as number,
        placedAt: r.placed_at as Date,
      })),
    };
  }

  async list(q: ManageOrderListQuery, cooperativeId: string | null): Promise<Page<ManagedOrderRow>> {
    const { items, total } = await this.rows(q, cooperativeId, q.pageSize, q.offset);
    return toPage(items, total, q);
  }

  /** CSV (UTF-8 with BOM so spreadsheet programs show Vietnamese correctly), newest first. */
  async exportCsv(q: ManageOrderListQuery, cooperativeId: string | null): Promise<string> {
    const { items } = await this.rows(q, cooperativeId, EXPORT_LIMIT, 0);
    const ids = items.map((i) => i.id);
    const lines = ids.length
      ? ((await this.ds.query(`SELECT order_id, sku, quantity FROM order_lines WHERE order_id = ANY($1::uuid[]) ORDER BY sku`, [ids])) as Array<{ order_id: string; sku: string; quantity: number }>)
      : [];
    const itemsOf = new Map<string, string[]>();
    for (const l of lines) itemsOf.set(l.order_id, [...(itemsOf.get(l.order_id) ?? []), `${l.sku} x${l.quantity}`]);
    const vn = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'short', timeStyle: 'medium' });
    const csv = stringify(
      items.map((i) => [
        i.code, vn.format(new Date(i.placedAt)), i.status, i.channel, i.paymentMethod, i.customerName, i.customerPhone,
        i.addressLine, i.communeName, i.provinceName, (itemsOf.get(i.id) ?? []).join('; '), i.subtotal, i.shippingFee, i.total,
      ]),
      {
        header: true,
        columns: ['code', 'placed_at_vn', 'status', 'channel', 'payment_method', 'customer_name', 'customer_phone', 'address_line', 'commune', 'province', 'items', 'subtotal_vnd', 'shipping_fee_vnd', 'total_vnd'],
        // Cells starting with = + - @ are read as formulas by spreadsheets: neutralise them.
        cast: { string: (v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v) },
      },
    );
    return `\uFEFF${csv}`;
  }

  /** Orders a day, revenue, average order value, share by channel and top products, between two days (Asia/Ho_Chi_Minh, inclusive). */
  async salesReport(q: SalesReportQuery, cooperativeId: string | null) {
    const from = q.from.slice(0, 10);
    const to = q.to.slice(0, 10);
    if (from > to) throw badRequest('from must be on or before to');
    if ((Date.parse(to) - Date.parse(from)) / 86_400_000 > 366) throw badRequest('The report covers at most 366 days');
    const range = `o.placed_at >= ($1::date::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh') AND o.placed_at < (($2::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')
                   AND ($3::uuid IS NULL OR o.cooperative_id = $3)`;
    const params = [from, to, cooperativeId, SALE_STATUSES];
    const days = await this.ds.query(
      `SELECT to_char(d.day, 'YYYY-MM-DD') AS day, coalesce(s.orders, 0)::int AS orders, coalesce(s.revenue, 0)::bigint AS revenue
       FROM generate_series($1::date, $2::date, interval '1 day') AS d(day)
       LEFT JOIN (SELECT (o.placed_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, count(*) AS orders, sum(o.total_vnd) AS revenue
                  FROM orders o WHERE ${range} AND o.status = ANY($4) GROUP BY 1) s ON s.day = d.day::date
       ORDER BY d.day`,
      params,
    );
    const channels = await this.ds.query(
      `SELECT o.channel, count(*)::int AS orders, sum(o.total_vnd)::bigint AS revenue FROM orders o WHERE ${range} AND o.status = ANY($4) GROUP BY 1 ORDER BY 1`,
      params,
    );
    const [statusCounts] = await this.ds.query(
      `SELECT count(*) FILTER (WHERE o.status = 'cancelled')::int AS cancelled, count(*) FILTER (WHERE o.status = 'returned')::int AS returned,
              count(*) FILTER (WHERE o.status IN ('placed', 'awaiting_payment'))::int AS awaiting_payment
       FROM orders o WHERE ${range}`,
      params.slice(0, 3),
    );
    const top = await this.ds.query(
      `SELECT l.variant_id, l.sku, l.product_name_vi, l.variant_name_vi, sum(l.quantity)::int AS quantity, sum(l.line_total_vnd)::bigint AS revenue, count(DISTINCT o.id)::int AS orders
       FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE ${range} AND o.status = ANY($4)
       GROUP BY 1, 2, 3, 4 ORDER BY revenue DESC, quantity DESC LIMIT ${q.top}`,
      params,
    );
    const totalOrders = (days as Array<{ orders: number }>).reduce((s, d) => s + d.orders, 0);
    const revenue = (days as Array<{ revenue: string }>).reduce((s, d) => s + Number(d.revenue), 0);
    return {
      from,
      to,
      timeZone: 'Asia/Ho_Chi_Minh',
      countedStatuses: SALE_STATUSES,
      orders: totalOrders,
      revenue,
      averageOrderValue: totalOrders ? Math.round(revenue / totalOrders) : 0,
      cancelledOrders: statusCounts.cancelled,
      returnedOrders: statusCounts.returned,
      awaitingPaymentOrders: statusCounts.awaiting_payment,
      days: (days as Array<{ day: string; orders: number; revenue: string }>).map((d) => ({ day: d.day, orders: d.orders, revenue: Number(d.revenue) })),
      byChannel: (channels as Array<{ channel: string; orders: number; revenue: string }>).map((c) => ({
        channel: c.channel,
        orders: c.orders,
        revenue: Number(c.revenue),
        orderShare: totalOrders ? Math.round((c.orders / totalOrders) * 1000) / 1000 : 0,
        revenueShare: revenue ? Math.round((Number(c.revenue) / revenue) * 1000) / 1000 : 0,
      })),
      topProducts: (top as Array<Record<string, string | number>>).map((t) => ({
        variantId: t.variant_id,
        sku: t.sku,
        productNameVi: t.product_name_vi,
        variantNameVi: t.variant_name_vi,
        quantity: t.quantity,
        orders: t.orders,
        revenue: Number(t.revenue),
      })),
    };
  }
}
