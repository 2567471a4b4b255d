import { cookies } from 'next/headers';
import type { Lang } from './i18n';

/** The shopper's language: Vietnamese unless they chose English (a cookie set by /lang/en). */
export async function getLang(): Promise<Lang> {
  const store = await cookies();
  return store.get('lang')?.value === 'en' ? 'en' : 'vi';
}
