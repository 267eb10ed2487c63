//! A call leg's tag, which the events' participants and the actions' parameters both name.

use crate::wire::wire_enum;

wire_enum! {
    /// A leg's tag. The guide's "Ending a call" example writes `Leg-A`: read as `LEG-A`.
    ParticipantTag { LegA = "LEG-A" | "Leg-A", LegB = "LEG-B" | "Leg-B" }
}
