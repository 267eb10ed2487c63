// The advisor's sentences for the API's codes on the routes of the interview room and the
// messages, where the seeker's (lib/api/errors.ts) would speak to the wrong person. The rest
// falls back to the shared sentences; errors.test.ts checks every documented code is covered.
export const ADVISOR_MESSAGES: Record<string, string> = {
  forbidden: "Cette action est réservée au conseiller ou à la conseillère de ce demandeur d'emploi.",
  not_found: "Cet élément n'existe pas, ou ce demandeur d'emploi n'est pas dans votre portefeuille.",
  not_registered: "Ce demandeur d'emploi n'est plus inscrit au service.",
  not_booked: "Cet entretien n'est plus prévu : il a été annulé, ou son issue est déjà enregistrée.",
  not_video: "Cet entretien n'a plus lieu en visioconférence.",
  too_early: "C'est trop tôt : la salle ouvre 15 minutes avant l'heure de l'entretien, et son issue s'enregistre une fois l'entretien commencé.",
  interview_over: "L'entretien est terminé depuis plus de 30 minutes : son moyen ne peut plus changer.",
  same_channel: "L'entretien a déjà lieu par ce moyen.",
  invalid_channel_switch: "Un entretien à distance ne peut pas devenir un entretien sur place.",
  not_phone: "Cet entretien n'a plus lieu par téléphone.",
  no_advisor_phone: "Votre téléphone de poste n'est pas enregistré : l'appel ne peut pas partir. Demandez à un administrateur de l'ajouter à votre profil, ou appelez la personne vous-même.",
  no_seeker_phone: "Cette personne n'a pas de numéro de téléphone français dans son profil : l'appel ne peut pas partir. Écrivez-lui par la messagerie.",
  call_starting: "L'appel est en train de partir : réessayez de raccrocher dans un instant.",
  phone_required: "Ce demandeur d'emploi n'a pas de numéro de téléphone dans son profil : écrivez-lui par la messagerie.",
  outcome_recorded: "L'issue de cet entretien est déjà enregistrée.",
  concurrent_update: "L'entretien vient d'être modifié par ailleurs. La page a été mise à jour : réessayez.",
  invalid_text: "Écrivez une note de 2 000 caractères au plus, ou laissez-la vide.",
  invalid_parameter: "La page demandée est invalide. Rechargez la page.",
};

/**
 * On the call routes (the phone interview's call, the seeker dialled into the video meeting, the
 * hang-up), the window is the call's: from 15 minutes before the start to the hard end.
 */
export const CALL_MESSAGES: Record<string, string> = {
  ...ADVISOR_MESSAGES,
  too_early: "C'est trop tôt pour appeler : l'appel peut partir 15 minutes avant l'heure de l'entretien.",
  interview_over: "L'entretien est terminé depuis plus de 30 minutes : l'appel ne peut plus partir d'ici.",
  not_video: "Cet entretien n'a plus lieu en visioconférence : la personne ne peut plus la rejoindre par téléphone. Rechargez la page.",
  no_meeting:
    "La visioconférence n'est pas ouverte (personne ne l'a rejointe, ou elle est terminée) : rejoignez-la d'abord, puis appelez la personne.",
};
