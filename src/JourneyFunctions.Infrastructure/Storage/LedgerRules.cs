using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>What counts as a sent email for the frequency cap, the same in every ledger implementation.</summary>
internal static class LedgerRules
{
    public const string EmailKind = "email";

    /// <summary>
    /// An email that left: done, or later reported delivered or bounced. Reserved, skipped and failed rows did not
    /// reach the contact.
    /// </summary>
    public static bool IsSentEmail(LedgerEntry entry) =>
        string.Equals(entry.Kind, EmailKind, StringComparison.Ordinal) && IsSentStatus(entry.Status);

    public static bool IsSentStatus(LedgerStatus status) =>
        status is LedgerStatus.Done or LedgerStatus.Delivered or LedgerStatus.Bounced;
}
