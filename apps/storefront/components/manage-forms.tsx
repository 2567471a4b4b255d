'use client';

import { useActionState } from 'react';
import { receiveLot, recallLot, type FormState } from '../app/manage/actions';
import type { Lang } from '../lib/i18n';

/** Vietnamese first; English when the manager switched the language. */
const L = (lang: Lang, vi: string, en: string) => (lang === 'en' ? en : vi);

function FieldError({ id, text }: { id: string; text?: string }) {
  return text ? (
    <span id={`${id}-error`} className="error">
      {text}
    </span>
  ) : null;
}

export function RecallForm({ lotId, lang = 'vi' }: { lotId: string; lang?: Lang }) {
  const [state, action, pending] = useActionState<FormState, FormData>(recallLot, {});
  const err = state.fields ?? {};
  return (
    <form key={state.nonce ?? 0} action={action} className="manage-form">
      {state.error && (
        <p className="alert" role="alert">
          {state.error}
        </p>
      )}
      <input type="hidden" name="id" value={lotId} />
      <div className="field">
        <label htmlFor="reason">{L(lang, 'Lý do thu hồi', 'Recall reason')}</label>
        <textarea id="reason" name="reason" rows={2} required defaultValue={state.values?.reason ?? ''} aria-describedby={err.reason ? 'reason-error' : undefined} />
        <FieldError id="reason" text={err.reason} />
      </div>
      <button type="submit" className="danger" disabled={pending} data-testid="recall">
        {L(lang, 'Thu hồi lô này', 'Recall this lot')}
      </button>
    </form>
  );
}

export function ReceiveForm({ variants, lang = 'vi' }: { variants: { id: string; label: string }[]; lang?: Lang }) {
  const [state, action, pending] = useActionState<FormState, FormData>(receiveLot, {});
  const err = state.fields ?? {};
  const v = state.values ?? {};
  const field = (name: string, label: string, props: Record<string, string | number | boolean> = {}) => (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <input id={name} name={name} defaultValue={v[name] ?? ''} aria-describedby={err[name] ? `${name}-error` : undefined} {...props} />
      <FieldError id={name} text={err[name]} />
    </div>
  );
  return (
    <form key={state.nonce ?? 0} action={action} className="manage-form" noValidate>
      {state.error && (
        <p className="alert" role="alert">
          {state.error}
        </p>
      )}
      <div className="field">
        <label htmlFor="variantId">{L(lang, 'Sản phẩm', 'Product')}</label>
        <select id="variantId" name="variantId" defaultValue={v.variantId ?? ''} aria-describedby={err.variantId ? 'variantId-error' : undefined}>
          <option value="">{L(lang, '— chọn —', '— choose —')}</option>
          {variants.map((x) => (
            <option key={x.id} value={x.id}>
              {x.label}
            </option>
          ))}
        </select>
        <FieldError id="variantId" text={err.variantId} />
      </div>
      {field('lotCode', L(lang, 'Mã lô', 'Lot code'), { placeholder: 'GCL2611A' })}
      {field('quantity', L(lang, 'Số lượng (gói)', 'Quantity (packs)'), { type: 'number', min: 1, inputMode: 'numeric' })}
      {field('harvestDate', L(lang, 'Ngày thu hoạch', 'Harvest date'), { type: 'date' })}
      {field('expiryDate', L(lang, 'Hạn sử dụng', 'Expiry date'), { type: 'date' })}
      {field('note', L(lang, 'Ghi chú', 'Note'))}
      <button type="submit" disabled={pending}>
        {L(lang, 'Nhập kho', 'Receive')}
      </button>
    </form>
  );
}
