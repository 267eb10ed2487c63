import { QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { Navigate, Route, Routes } from "../lib/router";
import { queryClient } from "./queryClient";
import { Layout } from "./Layout";
import { RequireSeeker } from "./RequireSeeker";
import { RequireStaff } from "./RequireStaff";
import { SignInPage } from "../features/signin/SignInPage";
import { CallbackPage } from "../features/signin/CallbackPage";
import { conversationsQuery, HomePage } from "../features/home/HomePage";
import { interviewsQuery } from "../features/interviews/queries";
import { slotsQuery } from "../features/booking/queries";
import { Loading } from "./Loading";

// Every page but sign-in and home is a separate chunk, fetched on demand (the video page also
// brings the Chime SDK): the home page, the one opened most, then loads and paints sooner.
const named = <K extends string>(load: () => Promise<Record<K, React.ComponentType>>, name: K) =>
  lazy(() => load().then((module) => ({ default: module[name] })));
const RegisterPage = named(() => import("../features/register/RegisterPage"), "RegisterPage");
const loadBookPage = () => import("../features/booking/BookPage");
const BookPage = named(loadBookPage, "BookPage");
const InterviewsPage = named(() => import("../features/interviews/InterviewsPage"), "InterviewsPage");
const InterviewPage = named(() => import("../features/interviews/InterviewPage"), "InterviewPage");
const VideoPage = lazy(() => import("../features/video/VideoPage"));
const MessagesPage = lazy(() => import("../features/messages/MessagesPage"));
const InPersonPage = lazy(() => import("../features/in-person/InPersonPage"));
const JournalPage = lazy(() => import("../features/journal/JournalPage"));
const MyDataPage = lazy(() => import("../features/my-data/MyDataPage"));
const AccessibilityPage = lazy(() => import("../features/legal/AccessibilityPage"));
const LegalPage = lazy(() => import("../features/legal/LegalPage"));
const PrivacyPage = lazy(() => import("../features/legal/PrivacyPage"));
const AdvisorConversationsPage = lazy(() => import("../features/advisor-messages/ConversationsPage"));
const AdvisorConversationPage = lazy(() => import("../features/advisor-messages/ConversationPage"));
const InterviewRoomPage = lazy(() => import("../features/advisor-room/InterviewRoomPage"));
// The staff desk: chunks of their own, never loaded on a seeker's phone.
const PortfolioPage = lazy(() => import("../features/portfolio/PortfolioPage"));
const SeekerFilePage = lazy(() => import("../features/seeker-file/SeekerFilePage"));
const ConvokePage = lazy(() => import("../features/convoke/ConvokePage"));
const AgendaPage = lazy(() => import("../features/agenda/AgendaPage"));
const RequestsPage = lazy(() => import("../features/advisor-requests/RequestsPage"));
const AdvisorsPage = lazy(() => import("../features/admin/AdvisorsPage"));
const WaitingPage = lazy(() => import("../features/admin/WaitingPage"));

// Only what asking for a read needs (the reads' data types differ).
type FirstRead = { queryKey: readonly unknown[]; queryFn?: unknown };

/** What a seeker's page reads first, besides the profile, and its chunk: asked for as the app
 * starts after a sign-in (src/app/boot.ts), so the page renders once, with its data. */
export const FIRST_READS: Record<string, { chunk?: () => Promise<unknown>; queries: FirstRead[] }> = {
  "/": { queries: [interviewsQuery("upcoming"), conversationsQuery] },
  "/rendez-vous/prendre": { chunk: loadBookPage, queries: [slotsQuery] },
};

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <>
        <Layout>
          <Suspense fallback={<Loading />}>
            <Routes>
              <Route path="/connexion" element={<SignInPage />} />
              <Route path="/auth/callback" element={<CallbackPage />} />
              <Route path="/inscription" element={<RegisterPage />} />
              <Route path="/accessibilite" element={<AccessibilityPage />} />
              <Route path="/mentions-legales" element={<LegalPage />} />
              <Route path="/donnees-personnelles" element={<PrivacyPage />} />
              <Route element={<RequireSeeker />}>
                <Route path="/" element={<HomePage />} />
                <Route path="/rendez-vous/prendre" element={<BookPage />} />
                <Route path="/rendez-vous" element={<InterviewsPage />} />
                <Route path="/rendez-vous/:interviewId" element={<InterviewPage />} />
                <Route path="/rendez-vous/:interviewId/video" element={<VideoPage />} />
                <Route path="/messages" element={<MessagesPage />} />
                <Route path="/entretien-sur-place" element={<InPersonPage />} />
                <Route path="/suivi" element={<JournalPage />} />
                <Route path="/mes-donnees" element={<MyDataPage />} />
              </Route>
              <Route element={<RequireStaff need="advisor" />}>
                <Route path="/conseiller" element={<PortfolioPage />} />
                <Route path="/conseiller/demandeurs/:seekerId" element={<SeekerFilePage />} />
                <Route path="/conseiller/demandeurs/:seekerId/convoquer" element={<ConvokePage />} />
                <Route path="/conseiller/agenda" element={<AgendaPage />} />
                <Route path="/conseiller/demandes" element={<RequestsPage />} />
                <Route path="/conseiller/messages" element={<AdvisorConversationsPage />} />
                <Route path="/conseiller/messages/:seekerId" element={<AdvisorConversationPage />} />
                <Route path="/conseiller/entretiens/:interviewId" element={<InterviewRoomPage />} />
              </Route>
              <Route element={<RequireStaff need="admin" />}>
                <Route path="/gestion/conseillers" element={<AdvisorsPage />} />
                <Route path="/gestion/attente" element={<WaitingPage />} />
              </Route>
              <Route path="*" element={<Navigate to="/" replace />} />
            </Routes>
          </Suspense>
        </Layout>
      </>
    </QueryClientProvider>
  );
}
