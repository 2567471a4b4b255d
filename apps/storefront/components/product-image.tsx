/** Product photo, lazily loaded and sized so the layout does not jump on a slow link. */
export function ProductImage({ src, alt, eager = false }: { src: string | null; alt: string; eager?: boolean }) {
  if (!src) return <div className="thumb" role="img" aria-label={alt} />;
  return <img className="thumb" src={src} alt={alt} width={300} height={300} loading={eager ? 'eager' : 'lazy'} decoding="async" />;
}
