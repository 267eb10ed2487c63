// Every error code the API answers on a seeker's journey, as a plain French sentence. A code
// missing here falls back to a general sentence; the unit test lists the contract's codes.
import { ApiError } from "./client";

const GENERAL: Record<string, string> = {
  unauthorized: "Votre session a expiré. Reconnectez-vous : ce que vous avez saisi est conservé.",
  throttled: "Le service reçoit beaucoup de demandes. Réessayez dans quelques secondes.",
  unavailable: "Le service est momentanément indisponible. Rien n'a été modifié : réessayez dans un instant.",
  internal: "Une erreur est survenue de notre côté. Rien n'a été modifié : réessayez plus tard.",
  network: "Impossible de joindre le service. Vérifiez votre connexion à Internet, puis réessayez.",
  payload_too_large: "Votre texte est trop long.",
  invalid_body: "Votre demande n'a pas pu être comprise. Vérifiez les champs, puis réessayez.",
  forbidden: "Cette action est réservée aux demandeurs et demandeuses d'emploi.",
  not_registered: "Vous n'êtes pas encore inscrit ou inscrite à ce service.",
  not_found: "Cet élément n'existe pas ou plus.",
  concurrent_update: "Cet élément vient d'être modifié. La page a été mise à jour : réessayez.",
  invalid_limit: "La page demandée est invalide.",
  invalid_cursor: "La page demandée est invalide. Rechargez la page.",
  invalid_text: "Écrivez un texte, sans dépasser la longueur permise.",
  invalid_parameter: "La page demandée est invalide. Rechargez la page.",
  invalid_range: "La période demandée est invalide. Rechargez la page.",
  invalid_scope: "La liste demandée est invalide. Rechargez la page.",
  invalid_time: "La date demandée est invalide. Rechargez la page.",
};

/** Field-level sentences, by code. */
export const MESSAGES: Record<string, string> = {
  ...GENERAL,
  // Registration and profile
  already_registered: "Vous êtes déjà inscrit ou inscrite avec cette identité.",
  invalid_name: "Indiquez un nom de 1 à 100 caractères.",
  invalid_email: "Indiquez une adresse électronique valide, par exemple nom@exemple.fr.",
  email_not_verified:
    "Cette adresse n'est pas celle, vérifiée, de votre compte. Nous n'écrivons qu'à l'adresse de votre compte : confirmez-la d'abord depuis le courriel reçu à la création du compte.",
  reregistered_too_soon:
    "Vous avez supprimé vos données il y a moins d'un jour. Vous pourrez vous inscrire à nouveau demain.",
  invalid_phone: "Indiquez un numéro de téléphone valide, par exemple 06 12 34 56 78.",
  invalid_region: "Choisissez votre région dans la liste.",
  invalid_channels: "Choisissez au moins un moyen de contact.",
  consent_required: "Pour vous inscrire, vous devez accepter le traitement de vos données.",
  nothing_to_update: "Modifiez votre numéro ou vos moyens de contact avant d'enregistrer.",
  invalid_mobile_phone: "Les SMS ne partent que vers un mobile français : indiquez un numéro en 06 ou 07.",
  concurrent_update: "Vos informations ont changé entre-temps. Rechargez la page puis recommencez.",
  caller_needs_phone: "Appeler l'agence n'est possible que pour un entretien par téléphone.",
  no_agency_number: "L'agence n'a pas de numéro à appeler : votre conseiller ou conseillère vous appellera.",
  // Booking
  slot_taken:
    "Quelqu'un vient de réserver ce créneau juste avant vous. Nous avons mis la liste à jour : choisissez un autre créneau.",
  agenda_conflict: "Votre conseiller ou conseillère n'est plus disponible à cette heure-là. Choisissez un autre créneau.",
  slot_not_found: "Ce créneau n'est plus proposé. Choisissez-en un autre dans la liste mise à jour.",
  channel_not_offered: "Ce créneau ne propose pas ce moyen d'entretien. Choisissez-en un autre.",
  too_late: "Ce créneau commence trop tôt pour être réservé. Choisissez un créneau plus lointain.",
  too_far_ahead: "Ce créneau est trop lointain pour être réservé.",
  phone_required: "Pour un entretien par téléphone, ajoutez d'abord votre numéro dans « Mes données ».",
  // Interviews
  mandatory_interview:
    "Ce rendez-vous est obligatoire : vous ne pouvez ni l'annuler ni le déplacer. En cas d'empêchement, écrivez à votre conseiller ou conseillère.",
  not_booked: "Ce rendez-vous n'est plus prévu (il a été annulé ou a déjà eu lieu).",
  already_started: "Ce rendez-vous a déjà commencé : il ne peut plus être modifié.",
  same_slot: "Votre rendez-vous est déjà sur ce créneau.",
  not_a_convocation: "Ce rendez-vous n'est pas une convocation.",
  // Video
  not_video: "Ce rendez-vous n'a plus lieu en visioconférence. Votre conseiller ou conseillère vous appellera.",
  too_early: "La salle d'entretien ouvre 15 minutes avant l'heure du rendez-vous. Revenez un peu plus tard.",
  interview_over: "L'heure de ce rendez-vous est passée.",
  // In-person requests
  request_open: "Vous avez déjà une demande en cours. Attendez la réponse de votre conseiller ou conseillère.",
  no_advisor:
    "Aucun conseiller ou conseillère ne vous est encore attribué. Vous recevrez un courriel dès que ce sera le cas.",
  // Chat
  rate_limited: "Vous avez envoyé beaucoup de messages en peu de temps. Patientez une minute avant de réessayer.",
  session_expired: "Votre session a expiré. La connexion reprend avec votre session en cours : renvoyez votre message.",
  // Bookings, cancellations and requests (each sends an email)
  too_many_actions:
    "Vous avez fait beaucoup de démarches en peu de temps (rendez-vous, annulations, demandes). Rien n'a été fait : réessayez dans une heure.",
  too_many_calls: "Vous avez passé beaucoup d'appels en peu de temps. Aucun appel n'a été lancé : réessayez dans une heure.",
  invalid_client_message_id: "Ce message n'a pas pu être envoyé. Réessayez.",
  unknown_connection: "La connexion a été interrompue. Reconnexion en cours…",
};

export function frenchMessage(error: unknown, overrides: Record<string, string> = {}): string {
  const code = codeOf(error);
  return overrides[code] ?? MESSAGES[code] ?? GENERAL.internal!;
}

export function codeOf(error: unknown): string {
  if (error instanceof ApiError) return error.code;
  if (error instanceof TypeError) return "network";
  return "internal";
}
