import type { Metadata } from 'next';
import Link from 'next/link';
import { ProductForm } from '../../../../components/console-forms';
import { t } from '../../../../lib/i18n';
import { getLang } from '../../../../lib/lang';
import { manageApi, type ManageCategory } from '../../../../lib/manage-api';

export const metadata: Metadata = { title: 'Sản phẩm mới / New product', robots: { index: false } };

export default async function NewProduct() {
  const lang = await getLang();
  const categories = await manageApi<ManageCategory[]>('/api/manage/categories');
  return (
    <>
      <p>
        <Link href="/manage/products">← {t(lang, 'mProducts')}</Link>
      </p>
      <h1>{t(lang, 'mNewProductTitle')}</h1>
      <ProductForm lang={lang} categories={categories} />
    </>
  );
}
