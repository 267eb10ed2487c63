import { useEffect } from "react";

/** Each page has its own title (RGAA 8.6): "<page> - Suivi emploi à distance". */
export function useTitle(title: string) {
  useEffect(() => {
    document.title = `${title} - Suivi emploi à distance`;
  }, [title]);
}
