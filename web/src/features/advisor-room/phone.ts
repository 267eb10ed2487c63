/** "+33612345678" as a French reader reads it, "06 12 34 56 78"; other numbers as they are. */
export function displayPhone(number: string): string {
  const m = /^\+33([1-9])(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(number);
  return m ? `0${m[1]} ${m[2]} ${m[3]} ${m[4]} ${m[5]}` : number;
}
