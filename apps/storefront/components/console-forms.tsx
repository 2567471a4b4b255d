'use client';

import { useActionState, useState, type ReactNode } from 'react';
import {
  addCertificate,
  adjustLot,
  dismissChannelOrder,
  importStatement,
  recordTraceEvent,
  resolveMismatch,
  saveChannelConnection,
  saveChannelProduct,
  saveProduct,
  saveVariant,
  type ConsoleState,
} from '../app/manage/console-actions';
import { formatVnd } from '../lib/format';
import { t, type Key, type Lang } from '../lib/i18n';
import type { ChannelCategory, ChannelConnection, ChannelProductSync, ManageCategory, ManageProduct, ManageVariant, Plot } from '../lib/manage-api';

/** The form's banner: "fix the marked fields" when the API named fields, else the API's own message. */
function Banner({ state, lang }: { state: ConsoleState; lang: Lang }) {
  if (!state.error) return null;
  const marked = Object.keys(state.fields ?? {}).length > 0;
  return (
    <p className="alert" role="alert" data-testid="form-error">
      {marked ? t(lang, 'mFixFields') : state.error}
    </p>
  );
}

interface FieldProps {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  children: (describedBy: string | undefined) => ReactNode;
}

/** A label, the control, and the API's message about it right below (linked with aria-describedby). */
function Field({ id, label, error, hint, children }: FieldProps) {
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(describedBy)}
      {hint && (
        <span id={`${id}-hint`} className="muted">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

type InputProps = Record<string, string | number | boolean | undefined>;

/** Binds a form's state to its fields: `input('priceVnd', 'mPrice', {type: 'number'})`. */
function fieldsOf(state: ConsoleState, lang: Lang, prefix: string, initial: Record<string, string>) {
  const err = state.fields ?? {};
  const v = state.values ?? initial;
  const id = (name: string) => `${prefix}${name}`;
  const input = (name: string, label: Key, props: InputProps = {}, hint?: string) => (
    <Field id={id(name)} label={t(lang, label)} error={err[name]} hint={hint}>
      {(d) => <input id={id(name)} name={name} defaultValue={v[name] ?? ''} aria-describedby={d} aria-invalid={err[name] ? true : undefined} {...props} />}
    </Field>
  );
  const textarea = (name: string, label: Key, rows = 3) => (
    <Field id={id(name)} label={t(lang, label)} error={err[name]}>
      {(d) => <textarea id={id(name)} name={name} rows={rows} defaultValue={v[name] ?? ''} aria-describedby={d} aria-invalid={err[name] ? true : undefined} />}
    </Field>
  );
  const select = (name: string, label: Key, options: { value: string; label: string }[], props: InputProps = {}) => (
    <Field id={id(name)} label={t(lang, label)} error={err[name]}>
      {(d) => (
        <select id={id(name)} name={name} defaultValue={v[name] ?? ''} aria-describedby={d} aria-invalid={err[name] ? true : undefined} {...props}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  return { input, textarea, select, err, v, id };
}

// ------------------------------------------------------------------ products

export function ProductForm({ lang, product, categories }: { lang: Lang; product?: ManageProduct; categories: ManageCategory[] }) {
  const [state, action, pending] = useActionState<ConsoleState, FormData>(saveProduct, {});
  const initial: Record<string, string> = product
    ? {
        slug: product.slug,
        nameVi: product.nameVi,
        nameEn: product.nameEn ?? '',
        descriptionVi: product.descriptionVi,
        descriptionEn: product.descriptionEn,
        brand: product.brand,
        categoryId: product.categoryId ?? '',
        shelfLifeDays: product.shelfLifeDays === null ? '' : String(product.shelfLifeDays),
        status: product.status,
        imageUrls: product.imageUrls.join(' '),
      }
    : { status: 'draft' };
  const f = fieldsOf(state, lang, 'p-', initial);
  return (
    <form key={state.nonce ?? 0} action={action} className="manage-form" noValidate data-testid="product-form">
      <Banner state={state} lang={lang} />
      {product && <input type="hidden" name="id" value={product.id} />}
      {f.input('nameVi', 'mNameVi', { required: true, maxLength: 200 })}
      {f.input('nameEn', 'mNameEn', { maxLength: 200 })}
      {f.input('slug', 'mSlug', { required: true, maxLength: 120, autoCapitalize: 'none', spellCheck: false }, t(lang, 'mSlugHint'))}
      {f.select('categoryId', 'mCategory', [{ value: '', label: t(lang, 'mChoose') }, ...categories.map((c) => ({ value: c.id, label: lang === 'en' ? c.nameEn : c.nameVi }))])}
      {f.select('status', 'mStatus', [
        { value: 'active', label: t(lang, 'mStatusActive') },
        { value: 'draft', label: t(lang, 'mStatusDraft') },
        { value: 'archived', label: t(lang, 'mStatusArchived') },
      ])}
      {f.input('brand', 'mBrand', { maxLength: 120 })}
      {f.input('shelfLifeDays', 'mShelfLife', { inputMode: 'numeric' })}
      {f.input('imageUrls', 'mImageUrl', { placeholder: '/images/products/…' })}
      {f.textarea('descriptionVi', 'mDescVi', 4)}
      {f.textarea('descriptionEn', 'mDescEn', 4)}
      <button type="submit" disabled={pending} data-testid="save-product">
        {product ? t(lang, 'mSave') : t(lang, 'mCreate')}
      </button>
    </form>
  );
}

export function VariantForm({ lang, productId, variant }: { lang: Lang; productId: string; variant?: ManageVariant }) {
  const [state, action, pending] = useActionState<ConsoleState, FormData>(saveVariant, {});
  const prefix = variant ? `v-${variant.sku}-` : 'nv-';
  const initial: Record<string, string> = variant
    ? {
        sku: variant.sku,
        nameVi: variant.nameVi,
        nameEn: variant.nameEn ?? '',
        weightGrams: String(variant.weightGrams),
        priceVnd: String(variant.priceVnd),
        gtin: variant.gtin,
        active: variant.active ? 'on' : '',
      }
    : { active: 'on' };
  const f = fieldsOf(state, lang, prefix, initial);
  return (
    <form key={state.nonce ?? 0} action={action} className="manage-form variant-form" noValidate data-testid={variant ? `variant-${variant.sku}` : 'new-variant'}>
      <Banner state={state} lang={lang} />
      <input type="hidden" name="productId" value={productId} />
      {variant && <input type="hidden" name="variantId" value={variant.id} />}
      <div className="cols">
        {f.input('sku', 'mSku', { required: true, maxLength: 64, autoCapitalize: 'characters', spellCheck: false })}
        {f.input('gtin', 'mGtin', { required: true, inputMode: 'numeric', maxLength: 14 })}
        {f.input('nameVi', 'mVariantNameVi', { required: true, maxLength: 120, placeholder: 'Túi 100 g' })}
        {f.input('nameEn', 'mVariantNameEn', { maxLength: 120, placeholder: '100 g bag' })}
        {f.input('weightGrams', 'mWeight', { inputMode: 'numeric' })}
        {f.input('priceVnd', 'mPrice', { inputMode: 'numeric' }, variant ? formatVnd(variant.priceVnd) : undefined)}
      </div>
      <label className="check">
        <input type="checkbox" name="active" defaultChecked={f.v.active === 'on'} /> {t(lang, 'mActive')}
      </label>
      <button type="submit" disabled={pending} className={variant ? 'secondary' : undefined} data-testid="save-variant">
        {variant ? t(lang, 'mSave') : t(lang, 'mAddVariant')}
      </button>
    </form>
  );
}

export function CertificateForm({ lang, productId }: { lang: Lang; productId: string }) {
  const [state, action, pending] = useActionState<ConsoleState, FormData>(addCertificate, {});
  const f = fieldsOf(state, lang, 'c-', { kind: 'ocop' });
  const [kind, setKind] = useState(f.v.kind ?? 'ocop');
  return (
    <form key={state.nonce ?? 0} action={action} className="manage-form" noValidate data-testid="certificate-form">
      <Banner state={state} lang={lang} />
      <input type="hidden" name="productId" value={productId} />
      <div className="cols">
        <Field id="c-kind" label={t(lang, 'mCertKind')} error={f.err.kind}>
          {(d) => (
            <select id="c-kind" name="kind" defaultValue={f.v.kind ?? 'ocop'} aria-describedby={d} onChange={(e) => setKind(e.target.value)}>
              <option value="ocop">OCOP</option>
              <option value="vietgap">VietGAP</option>
              <option value="organic">{lang === 'en' ? 'Organic' : 'Hữu cơ / Organic'}</option>
              <option value="other">{lang === 'en' ? 'Other' : 'Khác'}</option>
            </select>
          )}
        </Field>
        {f.select(
          'stars',
          'mStars',
          [{ value: '', label: kind === 'ocop' ? t(lang, 'mChoose') : '—' }, ...[1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: '★'.repeat(n) }))],
          kind === 'ocop' ? {} : { disabled: true },
        )}
      </div>
      {f.input('name', 'mCertName', { required: true, maxLength: 200, placeholder: 'OCOP 4 sao' })}
      {f.input('issuer', 'mIssuer', { required: true, maxLength: 200, placeholder: 'UBND tỉnh Thái Nguyên' })}
      <div className="cols">
        {f.input('number', 'mNumber', { maxLength: 100 })}
        {f.input('validFrom', 'mValidFrom', { type: 'date' })}
        {f.input('validTo', 'mValidTo', { type: 'date' })}
      </div>
      <button type="submit" disabled={pending} data-testid="add-certificate">
        {t(lang, 'mAddCertificate')}
      </button>
    </form>
  );
}

// ------------------------------------------------------------------ stock

export function AdjustForm({ lang, lotId, lotCode, back }: { lang: Lang; lotId: string; lotCode: string; back: string }) {
  const [state, action, pending] = useActionState<ConsoleState, FormData>(adjustLot, {});
  const f = fieldsOf(state, lang, `a-${lotCode}-`, {});
  return (
    <form key={state.nonce ?? 0} action={action} className="adjust-form" noValidate data-testid={`adjust-${lotCode}`}>
      <Banner state={state} lang={lang} />
      <input type="hidden" name="lotId" value={lotId} />
      <input type="hidden" name="back" value={back} />
      {f.input('delta', 'mDelta', { inputMode: 'numeric', placeholder: '-3', className: 'short' })}
      {f.input('reason', 'mReason', { maxLength: 500, placeholder: t(lang, 'mReasonHint') })}
      <button type="submit" className="secondary small" disabled={pending}>
        {t(lang, 'mAdjust')}
      </button>
    </form>
  );
}

// ------------------------------------------------------------------ trace events

const KINDS: Array<{ value: string; vi: string; en: string }> = [
  { value: 'harvest', vi: 'Thu hoạch', en: 'Harvest' },
  { value: 'drying', vi: 'Sấy / phơi', en: 'Drying' },
  { value: 'processing', vi: 'Sơ chế / chế biến', en: 'Processing' },
  { value: 'packing', vi: 'Đóng gói', en: 'Packing' },
  { value: 'inspecting', vi: 'Kiểm tra chất lượng', en: 'Quality inspection' },
  { value: 'storing', vi: 'Lưu kho', en: 'Storage' },
  { value: 'shipping', vi: 'Xuất hàng', en: 'Shipping' },
  { value: 'receiving', vi: 'Nhận hàng', en: 'Receiving' },
];

const UNITS: Array<{ value: string; vi: string; en: string }> = [
  { value: 'KGM', vi: 'kg', en: 'kg' },
  { value: 'GRM', vi: 'gam', en: 'grams' },
  { value: 'H87', vi: 'gói / cái', en: 'packs / pieces' },
  { value: 'LTR', vi: 'lít', en: 'litres' },
];

/** CBV 2.0 dispositions a manager may set after a step, in words. */
const DISPOSITIONS: Array<{ value: string; vi: string; en: string }> = [
  { value: 'active', vi: 'Mới tạo / đang dùng', en: 'Active' },
  { value: 'in_progress', vi: 'Đang xử lý', en: 'In progress' },
  { value: 'in_transit', vi: 'Đang vận chuyển', en: 'In transit' },
  { value: 'conformant', vi: 'Đạt yêu cầu', en: 'Conformant' },
  { value: 'non_conformant', vi: 'Không đạt', en: 'Non-conformant' },
  { value: 'sellable_accessible', vi: 'Sẵn sàng bán', en: 'Sellable' },
  { value: 'sellable_not_accessible', vi: 'Trong kho, chưa bày bán', en: 'In storage' },
  { value: 'damaged', vi: 'Hư hỏng', en: 'Damaged' },
  { value: 'destroyed', vi: 'Đã tiêu hủy', en: 'Destroyed' },
  { value: 'expired', vi: 'Hết hạn', en: 'Expired' },
];

export function TraceEventForm({ lang, lotId, lots, plots }: { lang: Lang; lotId: string; lots: { id: string; lotCode: string }[]; plots: Plot[] }) {
  const [state, action, pending] = useActionState<ConsoleState, FormData>(recordTraceEvent, {});
  const f = fieldsOf(state, lang, 'e-', { kind: 'packing', inputLotId: lotId });
  const [kind, setKind] = useState(f.v.kind ?? 'packing');
  const transformation = kind === 'drying' || kind === 'processing';
  const chosenPlots = new Set((f.v.plotIds ?? '').split(',').filter(Boolean));
  const lab = (x: { vi: string; en: string }) => (lang === 'en' ? x.en : x.vi);
  return (
    <form key={state.nonce ?? 0} action={action} className="manage-form" noValidate data-testid="event-form">
      <Banner state={state} lang={lang} />
      <input type="hidden" name="lotId" value={lotId} />
      <Field id="e-kind" label={t(lang, 'mEventKind')} error={f.err.kind}>
        {(d) => (
          <select id="e-kind" name="kind" defaultValue={kind} aria-describedby={d} onChange={(e) => setKind(e.target.value)}>
            {KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {lab(k)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {f.input('eventTime', 'mEventTime', { type: 'datetime-local' }, t(lang, 'mEventTimeHint'))}
      {kind === 'harvest' && (
        <Field id="e-plotIds" label={t(lang, 'mPlots')} error={f.err.plotIds}>
          {(d) => (
            <div id="e-plotIds" className="checks" aria-describedby={d} role="group">
              {plots.map((p) => (
                <label key={p.id} className="check">
                  <input type="checkbox" name="plotIds" value={p.id} defaultChecked={chosenPlots.has(p.id)} /> {p.name} <span className="muted">({p.crop})</span>
                </label>
              ))}
            </div>
          )}
        </Field>
      )}
      {transformation ? (
        <>
          {f.select(
            'inputLotId',
            'mInputLot',
            lots.map((l) => ({ value: l.id, label: l.lotCode })),
          )}
          <div className="cols">
            {f.input('inputQuantity', 'mInputQty', { inputMode: 'decimal' })}
            {f.input('outputQuantity', 'mOutputQty', { inputMode: 'decimal' })}
          </div>
        </>
      ) : (
        f.input('quantity', 'mQuantity', { inputMode: 'decimal' })
      )}
      {f.select('uom', 'mUnit', [{ value: '', label: `${t(lang, 'mDefault')} (${kind === 'harvest' || transformation ? 'kg' : lang === 'en' ? 'packs' : 'gói'})` }, ...UNITS.map((u) => ({ value: u.value, label: lab(u) }))])}
      {f.select('disposition', 'mDisposition', [{ value: '', label: t(lang, 'mDefault') }, ...DISPOSITIONS.map((d) => ({ value: d.value, label: lab(d) }))])}
      {f.input('note', 'mNote', { maxLength: 500 })}
      <button type="submit" disabled={pending} data-testid="record-event">
        {t(lang, 'mRecordEvent')}
      </button>
    </form>
  );
}

// ------------------------------------------------------------------ payments

export function StatementForm({ lang }: { lang: Lang }) {
  const [state, action, pending] = useActionState<ConsoleState, FormData>(importStatement, {});
  const r = state.statement;
  const counts: Array<[Key, number]> = r
    ? [
        ['mMatched', r.matched],
        ['mUnderpaid', r.underpaid],
        ['mOverpaid', r.overpaid],
        ['mUnmatched', r.unmatched],
        ['mDuplicate', r.duplicatePayments],
        ['mLate', r.latePayments],
        ['mAlready', r.alreadyImported],
        ['mSkipped', r.skipped.length],
      ]
    : [];
  return (
    <>
      {r && (
        <div className="ok" role="status" data-testid="statement-result">
          <strong>
            {t(lang, 'mImported')}: {r.rows} {t(lang, 'mRows')}
          </strong>
          <div>{counts.map(([k, n]) => `${n} ${t(lang, k)}`).join(' · ')}</div>
        </div>
      )}
      <form key={state.nonce ?? 0} action={action} className="manage-form" noValidate data-testid="statement-form">
        <Banner state={{ ...state, fields: undefined }} lang={lang} />
        <Field id="s-file" label={t(lang, 'mStatementFile')} error={state.fields?.file} hint={t(lang, 'mStatementHint')}>
          {(d) => <input id="s-file" name="file" type="file" accept=".csv,text/csv,text/plain" aria-describedby={d} />}
        </Field>
        <Field id="s-csv" label={t(lang, 'mStatementPaste')}>
          {(d) => <textarea id="s-csv" name="csv" rows={4} defaultValue={state.values?.csv ?? ''} aria-describedby={d} placeholder={'ma_gd,so_tien,noi_dung,ngay\nFT2611..,185000,HTX TA-261120-1234,20/11/2026'} />}
        </Field>
        <button type="submit" disabled={pending} data-testid="import-statement">
          {t(lang, 'mImport')}
        </button>
      </form>
    </>
  );
}

export function ResolveForm({ lang, id }: { lang: Lang; id: string }) {
  const [state, action, pending] = useActionState<ConsoleState, FormData>(resolveMismatch, {});
  const f = fieldsOf(state, lang, `r-${id.slice(0, 8)}-`, {});
  return (
    <form key={state.nonce ?? 0} action={action} className="adjust-form" noValidate>
      <Banner state={{ ...state, error: state.fields?.note ? undefined : state.error }} lang={lang} />
      <input type="hidden" name="id" value={id} />
      {f.input('note', 'mResolveNote', { maxLength: 1000 })}
      <button type="submit" className="secondary small" disabled={pending}>
        {t(lang, 'mResolve')}
      </button>
    </form>
  );
}

export function DismissForm({ lang, connectionId, orderId }: { lang: Lang; connectionId: string; orderId: string }) {
  const [state, action, pending] = useActionState<ConsoleState, FormData>(dismissChannelOrder, {});
  const f = fieldsOf(state, lang, `d-${orderId.slice(0, 8)}-`, {});
  return (
    <form key={state.nonce ?? 0} action={action} className="adjust-form" noValidate>
      <Banner state={{ ...state, error: state.fields?.note ? undefined : state.error }} lang={lang} />
      <input type="hidden" name="connectionId" value={connectionId} />
      <input type="hidden" name="orderId" value={orderId} />
      {f.input('note', 'mDismissNote', { maxLength: 1000 })}
      <button type="submit" className="secondary small" disabled={pending}>
        {t(lang, 'mDismiss')}
      </button>
    </form>
  );
}

// ------------------------------------------------------------------ channel set-up

/** Connect to Postmart (no `conn`) or change the connection; the secret is never shown back, only its last characters. */
export function ConnectionForm({ lang, conn }: { lang: Lang; conn?: ChannelConnection }) {
  const [state, action, pending] = useActionState<ConsoleState, FormData>(saveChannelConnection, {});
  const initial: Record<string, string> = conn
    ? { baseUrl: conn.baseUrl, merchantId: conn.merchantId, priceRulePercent: String(conn.priceRulePercent), enabled: conn.enabled ? 'on' : '' }
    : { baseUrl: 'https://api.postmart.vn', priceRulePercent: '0', enabled: 'on' };
  const f = fieldsOf(state, lang, conn ? 'ce-' : 'cn-', initial);
  return (
    <form key={state.nonce ?? 0} action={action} className="manage-form" noValidate data-testid={conn ? 'connection-form' : 'connect-form'}>
      <Banner state={state} lang={lang} />
      {conn && <input type="hidden" name="connectionId" value={conn.id} />}
      {f.input('baseUrl', 'mBaseUrl', { required: true, type: 'url', inputMode: 'url', maxLength: 300, autoCapitalize: 'none', spellCheck: false })}
      {f.input('merchantId', 'mMerchantId', { required: true, maxLength: 100, autoCapitalize: 'characters', spellCheck: false, placeholder: 'HTX-…' })}
      {f.input(
        'secret',
        conn ? 'mNewSecret' : 'mSecret',
        { type: 'password', autoComplete: 'new-password', maxLength: 200, required: !conn },
        conn ? `${t(lang, 'mSecretNow')} ${conn.secret} · ${t(lang, 'mSecretHint')}` : t(lang, 'mSecretHint'),
      )}
      {f.input('priceRulePercent', 'mPriceRulePercent', { inputMode: 'numeric', className: 'short' }, t(lang, 'mPriceRuleHint'))}
      <label className="check">
        <input type="checkbox" name="enabled" defaultChecked={f.v.enabled === 'on'} data-testid="connection-enabled" /> {t(lang, 'mEnableChannel')}
      </label>
      <button type="submit" disabled={pending} data-testid={conn ? 'save-connection' : 'connect'}>
        {conn ? t(lang, 'mSaveConnection') : t(lang, 'mConnect')}
      </button>
    </form>
  );
}

/** Postmart's categories in tree order: each top-level category followed by its children (named with their parent). */
function categoryTree(categories: ChannelCategory[]): { c: ChannelCategory; parent?: ChannelCategory }[] {
  const byId = new Map(categories.map((c) => [c.id, c]));
  const roots = categories.filter((c) => !byId.has(c.parentId));
  const out: { c: ChannelCategory; parent?: ChannelCategory }[] = [];
  for (const r of roots) {
    out.push({ c: r });
    for (const child of categories.filter((c) => c.parentId === r.id)) out.push({ c: child, parent: r });
  }
  // Deeper levels (if Postmart ever has them) still appear, named by their direct parent.
  for (const c of categories) if (!out.some((o) => o.c === c)) out.push({ c, parent: byId.get(c.parentId) });
  return out;
}

/** One product: list it on Postmart or not, and its Postmart category (with the commission Postmart takes). */
export function ChannelProductForm({ lang, connectionId, product, categories }: { lang: Lang; connectionId: string; product: ChannelProductSync; categories: ChannelCategory[] }) {
  const [state, action, pending] = useActionState<ConsoleState, FormData>(saveChannelProduct, {});
  const initial = { listed: product.listed ? 'on' : '', categoryId: product.category ? String(product.category.id) : '' };
  const f = fieldsOf(state, lang, `cp-${product.productId.slice(0, 8)}-`, initial);
  const known = categories.some((c) => String(c.id) === initial.categoryId);
  const options = [
    { value: '', label: t(lang, 'mChoose') },
    ...(product.category && !known ? [{ value: String(product.category.id), label: product.category.name ?? String(product.category.id) }] : []),
    ...categoryTree(categories).map(({ c, parent }) => ({ value: String(c.id), label: `${parent ? `${parent.name} › ` : ''}${c.name} (${t(lang, 'mCommission')} ${c.commissionRate}%)` })),
  ];
  return (
    <form key={state.nonce ?? 0} action={action} className="adjust-form" noValidate data-testid="channel-product-form">
      <Banner state={{ ...state, error: state.fields?.categoryId ? undefined : state.error }} lang={lang} />
      <input type="hidden" name="connectionId" value={connectionId} />
      <input type="hidden" name="productId" value={product.productId} />
      {/* width 100 %: a long category name must not widen the page on a phone (a select is as wide as its longest option). */}
      <Field id={f.id('categoryId')} label={t(lang, 'mChannelCategory')} error={f.err.categoryId}>
        {(d) => (
          <select id={f.id('categoryId')} name="categoryId" defaultValue={f.v.categoryId ?? ''} aria-describedby={d} aria-invalid={f.err.categoryId ? true : undefined} style={{ width: '100%' }}>
            {options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <label className="check">
        <input type="checkbox" name="listed" defaultChecked={f.v.listed === 'on'} data-testid="channel-listed" /> {t(lang, 'mListOnChannel')}
      </label>
      <button type="submit" className="secondary small" disabled={pending} data-testid="save-listing">
        {t(lang, 'mSaveListing')}
      </button>
    </form>
  );
}
