using Microsoft.DurableTask;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// The Functions app's own timings (configuration section <c>Functions</c>, app settings <c>Functions__...</c>): the
/// contact lease the queue trigger routes under, and the retry policy of every activity. The pause recheck is the
/// built-in host's option, <c>Runner:PausedRecheck</c> (one option, one default for both engines).
/// </summary>
public sealed class FunctionAppOptions
{
    public const string SectionName = "Functions";

    /// <summary>How long the queue trigger's lease on a contact lasts (it is released when routing ends). Default 60 s.</summary>
    public TimeSpan ContactLeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The pause between attempts to take a busy contact's lease. Default 250 ms.</summary>
    public TimeSpan ContactLeaseWait { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Attempts to take the lease before the message is left to the queue's retry. Default 40 (about 10 s).</summary>
    public int ContactLeaseAttempts { get; set; } = 40;

    /// <summary>Attempts of an activity, the first included, before the run ends as failed. Default 5.</summary>
    public int ActivityMaxAttempts { get; set; } = 5;

    /// <summary>The wait before the first retry of an activity. Default 5 s.</summary>
    public TimeSpan ActivityFirstRetryInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How much each wait grows on the one before. Default 2.</summary>
    public double ActivityBackoffCoefficient { get; set; } = 2.0;

    /// <summary>The longest wait between attempts. Default 5 min.</summary>
    public TimeSpan ActivityMaxRetryInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The retry policy of activities these settings describe; throws naming the setting that is out of range.</summary>
    public RetryPolicy ActivityRetryPolicy()
    {
        Check(ActivityMaxAttempts >= 1, nameof(ActivityMaxAttempts), "at least 1");
        Check(ActivityFirstRetryInterval > TimeSpan.Zero, nameof(ActivityFirstRetryInterval), "positive");
        Check(ActivityBackoffCoefficient >= 1, nameof(ActivityBackoffCoefficient), "at least 1");
        Check(ActivityMaxRetryInterval >= ActivityFirstRetryInterval, nameof(ActivityMaxRetryInterval), "at least ActivityFirstRetryInterval");
        return new RetryPolicy(ActivityMaxAttempts, ActivityFirstRetryInterval, ActivityBackoffCoefficient, ActivityMaxRetryInterval);
    }

    /// <summary>Throws naming the lease setting that is out of range.</summary>
    public void CheckLease()
    {
        Check(ContactLeaseDuration > TimeSpan.Zero, nameof(ContactLeaseDuration), "positive");
        Check(ContactLeaseWait >= TimeSpan.Zero, nameof(ContactLeaseWait), "not negative");
        Check(ContactLeaseAttempts >= 1, nameof(ContactLeaseAttempts), "at least 1");
    }

    private static void Check(bool ok, string name, string rule)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"{SectionName}:{name} must be {rule}.");
        }
    }
}
