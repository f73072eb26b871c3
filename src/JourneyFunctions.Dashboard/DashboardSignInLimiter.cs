using System.Net;

namespace JourneyFunctions.Dashboard;

/// <summary>
/// Limits wrong API keys at <c>POST /api/session</c> per client address: after <see cref="MaxFailures"/> failures
/// within <see cref="Window"/> the address gets 429 (with <c>Retry-After</c>) until the oldest of them is
/// <see cref="Window"/> old, whatever key it presents, so a guess made while refused tells nothing. A sign-in that
/// succeeds clears the address's failures. Kept in memory like the sessions, for at most
/// <see cref="MaxAddresses"/> addresses (past that the ones whose failures are all old are dropped first, then the
/// least recently failing); the client address is the connection's, so behind a reverse proxy configure forwarded
/// headers in the host or every client shares the proxy's budget.
/// </summary>
public sealed class DashboardSignInLimiter(TimeProvider time)
{
    /// <summary>Wrong keys accepted from one address within <see cref="Window"/>.</summary>
    public const int MaxFailures = 5;

    /// <summary>Addresses tracked at once.</summary>
    public const int MaxAddresses = 10_000;

    /// <summary>The span over which failures count.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    /// <summary>How long <paramref name="client"/> must wait before trying again, or null when it may try now.</summary>
    public TimeSpan? RetryAfter(IPAddress? client)
    {
        var key = Key(client);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_failures.TryGetValue(key, out var failures))
            {
                return null;
            }

            Expire(failures, now);
            if (failures.Count == 0)
            {
                _failures.Remove(key);
                return null;
            }

            return failures.Count >= MaxFailures ? failures.Peek() + Window - now : null;
        }
    }

    /// <summary>Counts a wrong key from <paramref name="client"/>.</summary>
    public void Failed(IPAddress? client)
    {
        var key = Key(client);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_failures.TryGetValue(key, out var failures))
            {
                if (_failures.Count >= MaxAddresses)
                {
                    MakeRoom(now);
                }

                failures = new Queue<DateTimeOffset>(MaxFailures);
                _failures[key] = failures;
            }

            Expire(failures, now);
            failures.Enqueue(now);
            while (failures.Count > MaxFailures)
            {
                failures.Dequeue();
            }
        }
    }

    /// <summary>Forgets the failures of <paramref name="client"/> after it signed in.</summary>
    public void Succeeded(IPAddress? client)
    {
        lock (_gate)
        {
            _failures.Remove(Key(client));
        }
    }

    /// <summary>Addresses with failures still counting (for tests of the bound).</summary>
    public int TrackedAddresses
    {
        get
        {
            lock (_gate)
            {
                return _failures.Count;
            }
        }
    }

    private void MakeRoom(DateTimeOffset now)
    {
        foreach (var (key, failures) in _failures)
        {
            Expire(failures, now);
            if (failures.Count == 0)
            {
                _failures.Remove(key);
            }
        }

        if (_failures.Count >= MaxAddresses)
        {
            var stalest = _failures.MinBy(f => f.Value.Last()).Key;
            _failures.Remove(stalest);
        }
    }

    private static void Expire(Queue<DateTimeOffset> failures, DateTimeOffset now)
    {
        while (failures.Count > 0 && failures.Peek() + Window <= now)
        {
            failures.Dequeue();
        }
    }

    /// <summary>An IPv4 client seen over IPv6 counts as itself; a missing address (a test server) is one bucket.</summary>
    private static string Key(IPAddress? client) =>
        client is null ? "-" : (client.IsIPv4MappedToIPv6 ? client.MapToIPv4() : client).ToString();
}
