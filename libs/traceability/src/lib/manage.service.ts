import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify/sync';
import { DataSource } from 'typeorm';
import { AppConfig, AuthUser, conflict, toPage } from '@htx/shared';
import { cooperativeScope, IdentityService } from '@htx/identity';
import { OrderForRecall, OrdersService } from '@htx/orders';
import { InventoryService } from '@htx/inventory';
import { buildDigitalLink } from './gs1/digital-link';
import { formatDateVn, LabelContent, labelSheetPdf, newSerial, qrPng, qrSvg } from './labels/labels';
import { TraceabilityService } from './traceability.service';

/** Labels, recall and scan anomalies for managers. */
@Injectable()
export class TraceManageService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly trace: TraceabilityService,
    private readonly inventory: InventoryService,
    private readonly orders: OrdersService,
    private readonly identity: IdentityService,
    private readonly config: AppConfig,
  ) {}

  async qr(user: AuthUser, lotId: string, format: 'svg' | 'png', serial?: string): Promise<{ uri: string; body: string | Buffer }> {
    const { lot, variant } = await this.trace.loadLot(user, lotId);
    let uri: string;
    try {
      uri = buildDigitalLink(this.config.publicBaseUrl, { gtin: variant.gtin, lot: lot.lotCode, serial });
    } catch (e) {
      throw conflict(`Không tạo được mã / Cannot build the Digital Link: ${(e as Error).message}`);
    }
    return { uri, body: format === 'png' ? await qrPng(uri) : await qrSvg(uri) };
  }

  async labels(user: AuthUser, lotId: string, count: number, serials: boolean): Promise<{ pdf: Buffer; filename: string }> {
    const { lot, variant } = await this.trace.loadLot(user, lotId);
    const coop = await this.identity.findCooperativeById(lot.cooperativeId);
    const productName = [variant.productNameVi, variant.variantNameVi].filter(Boolean).join(' – ');
    const labels: LabelContent[] = Array.from({ length: count }, () => {
      const serial = serials ? newSerial() : undefined;
      return {
        uri: buildDigitalLink(this.config.publicBaseUrl, { gtin: variant.gtin, lot: lot.lotCode, serial }),
        productName,
        lotCode: lot.lotCode,
        harvestDate: formatDateVn(lot.harvestDate),
        expiryDate: formatDateVn(lot.expiryDate),
        cooperative: coop?.name ?? '',
        serial,
      };
    });
    const pdf = await labelSheetPdf(labels, `Nhãn truy xuất / Trace labels ${variant.gtin} ${lot.lotCode}`);
    return { pdf, filename: `nhan-${variant.gtin}-${lot.lotCode.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf` };
  }

  async recall(user: AuthUser, lotId: string, reason: string) {
    const { lot } = await this.trace.loadLot(user, lotId);
    if (lot.recalledAt) throw conflict(`Lô ${lot.lotCode} đã bị thu hồi / Lot ${lot.lotCode} was already recalled on ${new Date(lot.recalledAt).toISOString()}`);
    await this.ds.transaction((tx) => this.inventory.markRecalled(tx, lot.id, reason.trim()));
    await this.trace.invalidateLots([lot.id]);
    const after = await this.inventory.getLot(lot.id);
    const orders = await this.orders.listOrdersForLot(lot.id, after?.cooperativeId ?? null);
    return { lotId: lot.id, lotCode: lot.lotCode, recalledAt: after?.recalledAt ?? null, reason: after?.recallReason ?? reason, affectedOrders: orders.length };
  }

  async recallOrders(user: AuthUser, lotId: string): Promise<{ lotCode: string; items: OrderForRecall[] }> {
    const { lot } = await this.trace.loadLot(user, lotId);
    const items = await this.orders.listOrdersForLot(lot.id, user.role === 'platform_admin' ? null : lot.cooperativeId);
    return { lotCode: lot.lotCode, items };
  }

  async recallOrdersCsv(user: AuthUser, lotId: string): Promise<{ csv: string; filename: string }> {
    const { lotCode, items } = await this.recallOrders(user, lotId);
    const csv = stringify(
      items.map((o) => [o.code, o.status, o.channel, new Date(o.placedAt).toISOString(), o.customerName, o.customerPhone, o.customerEmail ?? '', o.shippingAddress, o.quantityFromLot]),
      {
        header: true,
        columns: ['Mã đơn / Order', 'Trạng thái / Status', 'Kênh / Channel', 'Ngày đặt / Placed at', 'Khách hàng / Customer', 'Điện thoại / Phone', 'Email', 'Địa chỉ / Address', 'Số lượng từ lô / Quantity from lot'],
        // Neutralise spreadsheet formulas in customer-entered text.
        cast: { string: (v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v) },
      },
    );
    return { csv: '\ufeff' + csv, filename: `thu-hoi-${lotCode}.csv` };
  }

  async anomalies(user: AuthUser, q: { page: number; pageSize: number; offset: number; cooperativeId?: string }) {
    const scope = cooperativeScope(user, q.cooperativeId);
    const rows: Array<{ id: string; lotId: string; serial: string; kind: string; scans: number; places: number; firstFlaggedAt: Date; lastFlaggedAt: Date; total: number }> = await this.ds.query(
      `SELECT id, lot_id AS "lotId", serial, kind, scans, places, first_flagged_at AS "firstFlaggedAt", last_flagged_at AS "lastFlaggedAt", count(*) OVER()::int AS total
         FROM trace_anomalies WHERE ($1::uuid IS NULL OR cooperative_id = $1) ORDER BY last_flagged_at DESC, id LIMIT $2 OFFSET $3`,
      [scope, q.pageSize, q.offset],
    );
    const items = [];
    for (const { total: _t, ...r } of rows) {
      const lot = await this.inventory.getLot(r.lotId);
      items.push({
        ...r,
        lotCode: lot?.lotCode ?? null,
        messageVi: r.kind === 'high_scan_rate' ? `Mã sê-ri ${r.serial} được quét ${r.scans} lần trong 24 giờ: có thể là nhãn giả` : `Mã sê-ri ${r.serial} được quét từ ${r.places} nơi khác nhau trong 24 giờ: có thể là nhãn bị sao chép`,
        messageEn: r.kind === 'high_scan_rate' ? `Serial ${r.serial} was scanned ${r.scans} times in 24 hours: possibly a counterfeit label` : `Serial ${r.serial} was scanned from ${r.places} different places in 24 hours: possibly a copied label`,
      });
    }
    return toPage(items, rows[0]?.total ?? 0, q);
  }
}
