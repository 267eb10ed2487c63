import { Alert } from "@codegouvfr/react-dsfr/Alert";
import { useMe } from "../../app/useMe";
import { useTitle } from "../../app/useTitle";
import { ChatThread } from "./ChatThread";

export default function MessagesPage() {
  useTitle("Messages");
  const me = useMe().data!;
  if (!me.advisor) {
    return (
      <>
        <h1 className="fr-mt-4w">Messages</h1>
        <Alert small severity="info" description="Vous pourrez écrire dès qu'un conseiller ou une conseillère vous sera attribué." />
      </>
    );
  }
  return <Thread seekerId={me.seekerId} advisorName={`${me.advisor.firstName} ${me.advisor.lastName}`} />;
}

function Thread({ seekerId, advisorName }: { seekerId: string; advisorName: string }) {
  return (
    <>
      <h1 className="fr-mt-4w">Messages avec {advisorName}</h1>
      <ChatThread
        seekerId={seekerId}
        me="seeker"
        otherName={advisorName}
        announce={(text) => `Nouveau message de votre conseiller ou conseillère : ${text}`}
        threadLabel="Conversation"
        composerLabel="Votre message"
        emptyText="Aucun message pour l'instant. Écrivez le premier !"
        staleOnLeave={["conversations"]}
      />
    </>
  );
}
