/** class-transformer helpers for DTOs: `@Transform(trimString)` trims text; `@Transform(trimLowerString)` also lower-cases (e-mail addresses). Other types pass through for the validators to refuse. */
export const trimString = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
export const trimLowerString = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);
