/**
 * Phone numbers as people read them. The API stores and answers E.164 (`+33611223344`); a
 * page writes the French national form (`06 11 22 33 44`), as functions/domain's
 * `french_display` does in emails and SMS. Overseas numbers (+262, +590, +594, +596) have the
 * same national form; a foreign number stays international.
 */
const FRENCH_CODES = ["+33", "+262", "+590", "+594", "+596"];

export function frenchPhone(number: string): string {
  for (const code of FRENCH_CODES) {
    if (number.startsWith(code)) {
      const national = number.slice(code.length);
      if (/^[0-9]{9}$/.test(national)) {
        return `0${national}`.replace(/(\d{2})(?=\d)/g, "$1 ");
      }
    }
  }
  return number;
}

type InterviewPhone = { number: string; caller: "advisor" | "seeker" } | null | undefined;

/** Who calls whom on a phone interview, for the seeker, in a sentence without a final stop. */
export function whoCallsForSeeker(phone: InterviewPhone): string {
  if (phone?.caller === "seeker") {
    return `Vous appelez l'agence au ${frenchPhone(phone.number)}, à l'heure du rendez-vous`;
  }
  return `Votre conseiller ou conseillère vous appelle${phone ? ` au ${frenchPhone(phone.number)}` : ""}`;
}

/** The same for the advisor. */
export function whoCallsForAdvisor(phone: InterviewPhone): string {
  if (phone?.caller === "seeker") {
    return `La personne appelle l'agence au ${frenchPhone(phone.number)}, à l'heure du rendez-vous`;
  }
  return `Vous appelez la personne${phone ? ` au ${frenchPhone(phone.number)}` : ""}`;
}
