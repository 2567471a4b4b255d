'use server';

import { updateTag } from 'next/cache';
import { redirect } from 'next/navigation';
import { ApiError, CATALOG_TAG } from '../../lib/api';
import { fieldErrors, manageApi, UUID_RE, type StatementResult } from '../../lib/manage-api';
import type { FormState } from './actions';

/** What a console form sends back: the API's message, per-field messages, the values typed, and any result to show. */
export interface ConsoleState extends FormState {
  statement?: StatementResult;
  done?: string;
}

const text = (form: FormData, k: string) => String(form.get(k) ?? '').trim();

/** A whole number typed by a person ("85.000", "85 000 ₫" → 85000); empty → undefined so the API says it is required. */
function wholeNumber(value: string): number | undefined {
  if (value === '') return undefined;
  const cleaned = value.replace(/[\s.,₫đ]/gi, '');
  return /^-?\d+$/.test(cleaned) ? Number(cleaned) : Number.NaN;
}

/** A decimal quantity ("12,5" → 12.5). */
function decimal(value: string): number | undefined {
  if (value === '') return undefined;
  const n = Number(value.replace(',', '.'));
  return Number.isFinite(n) ? n : Number.NaN;
}

function failed(e: unknown, known: string[], values: Record<string, string>): ConsoleState {
  if (!(e instanceof ApiError)) throw e;
  return { error: e.message, fields: fieldErrors(e, known), values, nonce: Date.now() };
}

// ------------------------------------------------------------------ products

const PRODUCT_FIELDS = ['slug', 'nameVi', 'nameEn', 'descriptionVi', 'descriptionEn', 'brand', 'categoryId', 'shelfLifeDays', 'status', 'imageUrls'];

export async function saveProduct(_prev: ConsoleState, form: FormData): Promise<ConsoleState> {
  const id = text(form, 'id');
  const values = Object.fromEntries(PRODUCT_FIELDS.map((k) => [k, text(form, k)]));
  const body: Record<string, unknown> = {
    slug: values.slug,
    nameVi: values.nameVi,
    nameEn: values.nameEn,
    descriptionVi: values.descriptionVi,
    descriptionEn: values.descriptionEn,
    brand: values.brand,
    ...(values.categoryId ? { categoryId: values.categoryId } : {}),
    ...(values.shelfLifeDays ? { shelfLifeDays: wholeNumber(values.shelfLifeDays) } : {}),
    ...(values.status ? { status: values.status } : {}),
    ...(values.imageUrls ? { imageUrls: values.imageUrls.split(/\s+/).filter(Boolean) } : id ? { imageUrls: [] } : {}),
  };
  let saved: { id: string };
  try {
    saved = id && UUID_RE.test(id)
      ? await manageApi<{ id: string }>(`/api/manage/products/${id}`, { method: 'PATCH', body: JSON.stringify(body) })
      : await manageApi<{ id: string }>('/api/manage/products', { method: 'POST', body: JSON.stringify(body) });
  } catch (e) {
    return failed(e, PRODUCT_FIELDS, values);
  }
  updateTag(CATALOG_TAG);
  redirect(`/manage/products/${saved.id}?${id ? 'saved' : 'created'}=1`);
}

const VARIANT_FIELDS = ['sku', 'nameVi', 'nameEn', 'weightGrams', 'priceVnd', 'gtin', 'active'];

export async function saveVariant(_prev: ConsoleState, form: FormData): Promise<ConsoleState> {
  const productId = text(form, 'productId');
  const variantId = text(form, 'variantId');
  if (!UUID_RE.test(productId)) redirect('/manage/products');
  const values = Object.fromEntries(VARIANT_FIELDS.map((k) => [k, text(form, k)]));
  values.active = form.get('active') ? 'on' : '';
  const body = {
    sku: values.sku,
    nameVi: values.nameVi,
    ...(values.nameEn || variantId ? { nameEn: values.nameEn } : {}),
    weightGrams: wholeNumber(values.weightGrams),
    priceVnd: wholeNumber(values.priceVnd),
    gtin: values.gtin,
    active: Boolean(values.active),
  };
  try {
    if (variantId && UUID_RE.test(variantId)) {
      await manageApi(`/api/manage/products/${productId}/variants/${variantId}`, { method: 'PATCH', body: JSON.stringify(body) });
    } else {
      await manageApi(`/api/manage/products/${productId}/variants`, { method: 'POST', body: JSON.stringify(body) });
    }
  } catch (e) {
    return failed(e, VARIANT_FIELDS, values);
  }
  updateTag(CATALOG_TAG);
  redirect(`/manage/products/${productId}?variant=saved#variants`);
}

const CERT_FIELDS = ['kind', 'name', 'issuer', 'number', 'stars', 'validFrom', 'validTo'];

export async function addCertificate(_prev: ConsoleState, form: FormData): Promise<ConsoleState> {
  const productId = text(form, 'productId');
  if (!UUID_RE.test(productId)) redirect('/manage/products');
  const values = Object.fromEntries(CERT_FIELDS.map((k) => [k, text(form, k)]));
  const body = {
    kind: values.kind,
    name: values.name,
    issuer: values.issuer,
    ...(values.number ? { number: values.number } : {}),
    ...(values.stars ? { stars: wholeNumber(values.stars) } : {}),
    ...(values.validFrom ? { validFrom: values.validFrom } : {}),
    ...(values.validTo ? { validTo: values.validTo } : {}),
  };
  try {
    await manageApi(`/api/manage/products/${productId}/certificates`, { method: 'POST', body: JSON.stringify(body) });
  } catch (e) {
    return failed(e, CERT_FIELDS, values);
  }
  updateTag(CATALOG_TAG);
  redirect(`/manage/products/${productId}?certificate=added#certificates`);
}

export async function removeCertificate(form: FormData): Promise<void> {
  const productId = text(form, 'productId');
  const certificateId = text(form, 'certificateId');
  if (!UUID_RE.test(productId) || !UUID_RE.test(certificateId)) redirect('/manage/products');
  let error = '';
  try {
    await manageApi(`/api/manage/products/${productId}/certificates/${certificateId}`, { method: 'DELETE' });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    error = e.message;
  }
  updateTag(CATALOG_TAG);
  redirect(`/manage/products/${productId}?${error ? `error=${encodeURIComponent(error.slice(0, 300))}` : 'certificate=removed'}#certificates`);
}

// ------------------------------------------------------------------ stock

/** Where to go back to after a stock change: only console pages. */
function back(value: string, fallback: string): string {
  return /^\/manage(\/[\w\-/]*)?$/.test(value) ? value : fallback;
}

export async function adjustLot(_prev: ConsoleState, form: FormData): Promise<ConsoleState> {
  const lotId = text(form, 'lotId');
  if (!UUID_RE.test(lotId)) redirect('/manage/stock');
  const values = { delta: text(form, 'delta'), reason: text(form, 'reason') };
  try {
    await manageApi(`/api/manage/lots/${lotId}/adjustments`, {
      method: 'POST',
      body: JSON.stringify({ delta: wholeNumber(values.delta), reason: values.reason }),
    });
  } catch (e) {
    return failed(e, ['delta', 'reason'], values);
  }
  updateTag(CATALOG_TAG);
  const to = back(text(form, 'back'), '/manage/stock');
  redirect(`${to}?adjusted=${lotId}#lot-${lotId}`);
}

// ------------------------------------------------------------------ trace events

const EVENT_FIELDS = ['kind', 'eventTime', 'quantity', 'uom', 'plotIds', 'inputLotId', 'inputQuantity', 'outputQuantity', 'disposition', 'note'];

/** "2026-11-20T08:30" typed in Vietnam → an ISO instant with Vietnam's offset. */
function vnDateTime(value: string): string | undefined {
  if (!value) return undefined;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? `${value}:00+07:00` : value;
}

export async function recordTraceEvent(_prev: ConsoleState, form: FormData): Promise<ConsoleState> {
  const lotId = text(form, 'lotId');
  if (!UUID_RE.test(lotId)) redirect('/manage/lots');
  const values = Object.fromEntries(EVENT_FIELDS.map((k) => [k, text(form, k)]));
  const plotIds = form.getAll('plotIds').map(String).filter((x) => UUID_RE.test(x));
  values.plotIds = plotIds.join(',');
  const kind = values.kind;
  const transformation = kind === 'drying' || kind === 'processing';
  const uom = values.uom || undefined;
  const body: Record<string, unknown> = {
    kind,
    ...(values.eventTime ? { eventTime: vnDateTime(values.eventTime) } : {}),
    ...(values.disposition ? { disposition: values.disposition } : {}),
    ...(values.note ? { note: values.note } : {}),
  };
  if (transformation) {
    body.inputs = [{ lotId: values.inputLotId || lotId, quantity: decimal(values.inputQuantity), uom: uom ?? 'KGM' }];
    body.outputs = [{ lotId, quantity: decimal(values.outputQuantity), uom: uom ?? 'KGM' }];
  } else {
    body.lotId = lotId;
    body.quantity = decimal(values.quantity);
    if (uom) body.uom = uom;
    if (kind === 'harvest') body.plotIds = plotIds.length ? plotIds : undefined;
  }
  try {
    await manageApi('/api/manage/trace/events', { method: 'POST', body: JSON.stringify(body) });
  } catch (e) {
    const state = failed(e, EVENT_FIELDS, values);
    // The API's step checks name the field in the sentence ("harvest needs plotIds…", "inputs.0.quantity…").
    const msg = e instanceof ApiError ? e.message : '';
    const fields = state.fields ?? {};
    const mentions: Array<[RegExp, string]> = [
      [/plotIds|plot/i, 'plotIds'],
      [/inputs/, 'inputQuantity'],
      [/outputs/, 'outputQuantity'],
      [/eventTime/, 'eventTime'],
      [/\bquantity\b/, transformation ? 'outputQuantity' : 'quantity'],
      [/\buom\b/, 'uom'],
    ];
    if (Object.keys(fields).length === 0) {
      const hit = mentions.find(([re]) => re.test(msg));
      if (hit) fields[hit[1]] = msg;
    }
    const details = e instanceof ApiError && Array.isArray(e.details) ? (e.details as { field?: string; problems?: string[] }[]) : [];
    for (const d of details) {
      const f = d.field ?? '';
      const key = f.startsWith('inputs') ? 'inputQuantity' : f.startsWith('outputs') ? 'outputQuantity' : null;
      if (key && d.problems?.length && !fields[key]) fields[key] = d.problems.join('; ');
    }
    return { ...state, fields };
  }
  redirect(`/manage/lots/${lotId}?recorded=1#events`);
}

// ------------------------------------------------------------------ payments

/** Below the 1 MB a server action (and the API) accepts; a cooperative's monthly statement is far smaller. */
const MAX_STATEMENT_BYTES = 900_000;

export async function importStatement(_prev: ConsoleState, form: FormData): Promise<ConsoleState> {
  const file = form.get('file');
  let csv = text(form, 'csv');
  if (file && typeof file === 'object' && 'size' in file && file.size > 0) {
    if (file.size > MAX_STATEMENT_BYTES) {
      return { error: 'Tệp quá lớn (tối đa 900 KB): hãy tách theo tháng / The file is too large (900 KB at most): split it by month', fields: { file: 'Tệp quá lớn / File too large' }, nonce: Date.now() };
    }
    csv = await file.text();
  }
  if (!csv) return { error: 'Hãy chọn tệp CSV hoặc dán nội dung / Choose a CSV file or paste its content', fields: { file: 'Chưa có sao kê / No statement' }, nonce: Date.now() };
  let statement: StatementResult;
  try {
    statement = await manageApi<StatementResult>('/api/manage/payments/statements', { method: 'POST', body: JSON.stringify({ csv }) });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return { error: e.message, fields: { file: e.message }, values: { csv: csv.slice(0, 20000) }, nonce: Date.now() };
  }
  return { statement, nonce: Date.now() };
}

export async function resolveMismatch(_prev: ConsoleState, form: FormData): Promise<ConsoleState> {
  const id = text(form, 'id');
  const note = text(form, 'note');
  if (!UUID_RE.test(id)) redirect('/manage/payments');
  try {
    await manageApi(`/api/manage/payments/mismatches/${id}/resolve`, { method: 'POST', body: JSON.stringify({ note }) });
  } catch (e) {
    return failed(e, ['note'], { note });
  }
  redirect('/manage/payments?resolved=1');
}

// ------------------------------------------------------------------ channels

/** Queue a listing, stock and order sync now; the answer (or the API's refusal) comes back in the URL. */
export async function syncChannel(form: FormData): Promise<void> {
  const id = text(form, 'connectionId');
  if (!UUID_RE.test(id)) redirect('/manage/channels');
  let error = '';
  try {
    await manageApi(`/api/manage/channels/${id}/sync`, { method: 'POST' });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    error = e.message;
  }
  redirect(`/manage/channels?${error ? `error=${encodeURIComponent(error.slice(0, 300))}` : 'synced=1'}`);
}

export async function retryChannelJob(form: FormData): Promise<void> {
  const id = text(form, 'connectionId');
  const jobId = text(form, 'jobId');
  if (!UUID_RE.test(id) || !/^[\w.:-]{1,200}$/.test(jobId)) redirect('/manage/channels');
  let error = '';
  try {
    await manageApi(`/api/manage/channels/${id}/failed-jobs/${encodeURIComponent(jobId)}/retry`, { method: 'POST' });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    error = e.message;
  }
  redirect(`/manage/channels?${error ? `error=${encodeURIComponent(error.slice(0, 300))}` : 'retried=1'}#jobs`);
}

export async function dismissChannelOrder(_prev: ConsoleState, form: FormData): Promise<ConsoleState> {
  const id = text(form, 'connectionId');
  const orderId = text(form, 'orderId');
  const note = text(form, 'note');
  if (!UUID_RE.test(id) || !UUID_RE.test(orderId)) redirect('/manage/channels');
  try {
    await manageApi(`/api/manage/channels/${id}/orders/${orderId}/dismiss`, { method: 'POST', body: JSON.stringify({ note }) });
  } catch (e) {
    return failed(e, ['note'], { note });
  }
  redirect('/manage/channels?dismissed=1#flagged');
}

const CONNECTION_FIELDS = ['baseUrl', 'merchantId', 'secret', 'priceRulePercent', 'enabled'];

/** Connect the cooperative to Postmart, or change an existing connection (an empty secret keeps the stored one). */
export async function saveChannelConnection(_prev: ConsoleState, form: FormData): Promise<ConsoleState> {
  const id = text(form, 'connectionId');
  const values = Object.fromEntries(CONNECTION_FIELDS.map((k) => [k, text(form, k)]));
  values.enabled = form.get('enabled') ? 'on' : '';
  // The secret is never sent back to the page, even when the form is refused.
  const kept = { ...values, secret: '' };
  const priceRulePercent = values.priceRulePercent === '' ? undefined : wholeNumber(values.priceRulePercent.replace('%', '').replace(/^\+/, ''));
  const secret = String(form.get('secret') ?? '');
  const editing = id !== '' && UUID_RE.test(id);
  const body: Record<string, unknown> = editing
    ? { baseUrl: values.baseUrl, merchantId: values.merchantId, enabled: Boolean(values.enabled), ...(priceRulePercent !== undefined ? { priceRulePercent } : {}), ...(secret ? { secret } : {}) }
    : { channel: 'postmart', baseUrl: values.baseUrl, merchantId: values.merchantId, secret, enabled: Boolean(values.enabled), ...(priceRulePercent !== undefined ? { priceRulePercent } : {}) };
  try {
    if (editing) await manageApi(`/api/manage/channels/${id}`, { method: 'PATCH', body: JSON.stringify(body) });
    else await manageApi('/api/manage/channels', { method: 'POST', body: JSON.stringify(body) });
  } catch (e) {
    const state = failed(e, CONNECTION_FIELDS, kept);
    // The production checks on the URL ("baseUrl phải là https…") name the field inside the sentence.
    const fields = state.fields ?? {};
    if (Object.keys(fields).length === 0 && /baseUrl/.test(state.error ?? '')) fields.baseUrl = state.error ?? '';
    if (Object.keys(fields).length === 0 && /merchant/i.test(state.error ?? '')) fields.merchantId = state.error ?? '';
    return { ...state, fields };
  }
  redirect(`/manage/channels?${editing ? 'saved=1' : 'connected=1'}`);
}

/** List or unlist one product on the channel and map it to a Postmart category. */
export async function saveChannelProduct(_prev: ConsoleState, form: FormData): Promise<ConsoleState> {
  const id = text(form, 'connectionId');
  const productId = text(form, 'productId');
  if (!UUID_RE.test(id) || !UUID_RE.test(productId)) redirect('/manage/channels');
  const values = { listed: form.get('listed') ? 'on' : '', categoryId: text(form, 'categoryId') };
  const body = { listed: Boolean(values.listed), ...(values.categoryId ? { categoryId: wholeNumber(values.categoryId) } : {}) };
  try {
    await manageApi(`/api/manage/channels/${id}/products/${productId}`, { method: 'PUT', body: JSON.stringify(body) });
  } catch (e) {
    const state = failed(e, ['listed', 'categoryId'], values);
    const fields = state.fields ?? {};
    if (!fields.categoryId && /categor|danh mục/i.test(state.error ?? '')) fields.categoryId = state.error ?? '';
    return { ...state, fields };
  }
  redirect(`/manage/channels?listing=1#cp-${productId}`);
}
