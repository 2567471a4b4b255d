import { AppConfig } from '@htx/shared';
import { BankReconciliationService, parseBankDate, parseVndAmount } from './bank-reconciliation.service';

describe('bank statement parsing', () => {
  it.each([
    ['1.250.000', 1250000],
    ['1,250,000', 1250000],
    ['1250000', 1250000],
    ['1.250.000,00', 1250000],
    ['1,250,000.00', 1250000],
    ['150.000 VND', 150000],
    ['99.000 ₫', 99000],
  ])('reads %s as %d đồng', (text, value) => {
    expect(parseVndAmount(text)).toBe(value);
  });

  it.each(['12.5', 'abc', '', '1.25.000', '-5000'])('refuses %p', (text) => {
    expect(parseVndAmount(text)).toBeNull();
  });

  it('reads Vietnamese dates in Vietnam time', () => {
    expect(parseBankDate('23/11/2026 09:15')?.toISOString()).toBe('2026-11-23T02:15:00.000Z');
    expect(parseBankDate('2026-11-23 14:02:37')?.toISOString()).toBe('2026-11-23T07:02:37.000Z');
    expect(parseBankDate('2026-11-23T07:02:37Z')?.toISOString()).toBe('2026-11-23T07:02:37.000Z');
    expect(parseBankDate('yesterday')).toBeNull();
  });

  const service = new BankReconciliationService(null as never, new AppConfig(), null as never);

  it('finds Vietnamese or English columns and keeps credits only', () => {
    const { transfers, skipped } = service.parseStatement(
      ['\uFEFFNgày giao dịch;Mã GD;Số tiền ghi có;Số tiền ghi nợ;Diễn giải', '23/11/2026;FT1;150.000;;TA-261123-0001', '23/11/2026;FT2;;20.000;phi'].join('\n'),
    );
    expect(transfers).toEqual([expect.objectContaining({ line: 2, bankRef: 'FT1', amountVnd: 150000, description: 'TA-261123-0001' })]);
    expect(skipped).toEqual([{ line: 3, reason: 'debit (money out)' }]);
  });

  it('refuses a statement with a repeated reference, naming the line', () => {
    expect(() => service.parseStatement('reference,amount,description\nA,1000,x\nA,2000,y')).toThrow(/line 3: reference A appears twice/);
  });

  it('signs webhooks over the canonical JSON, so key order does not matter', () => {
    const a = service.signWebhook({ b: 1, a: 'x' }, 1764000000, 's'.repeat(20));
    const b = service.signWebhook({ a: 'x', b: 1 }, 1764000000, 's'.repeat(20));
    expect(a).toBe(b);
    expect(a).toMatch(/^t=1764000000,v1=[0-9a-f]{64}$/);
    expect(service.signWebhook({ a: 'x', b: 2 }, 1764000000, 's'.repeat(20))).not.toBe(a);
  });
});
