using System.Net;
using JourneyFunctions.Dashboard;
using Microsoft.Extensions.Time.Testing;

namespace JourneyFunctions.Dashboard.Tests;

/// <summary>The sign-in limiter on its own, on a fake clock: per address, over a sliding minute, bounded.</summary>
public sealed class DashboardSignInLimiterTests
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.10");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void RetryAfter_FifthFailureWithinAMinute_RefusesUntilTheFirstIsAMinuteOld()
    {
        var limiter = new DashboardSignInLimiter(_time);
        for (var i = 0; i < DashboardSignInLimiter.MaxFailures - 1; i++)
        {
            limiter.Failed(Client);
            Assert.Null(limiter.RetryAfter(Client));
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        limiter.Failed(Client); // the fifth, 40 s after the first

        Assert.Equal(TimeSpan.FromSeconds(20), limiter.RetryAfter(Client));
        Assert.Null(limiter.RetryAfter(IPAddress.Parse("192.0.2.11")));
        _time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal(TimeSpan.FromSeconds(1), limiter.RetryAfter(Client));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(limiter.RetryAfter(Client)); // the first failure left the window: four count now

        limiter.Failed(Client);
        Assert.NotNull(limiter.RetryAfter(Client));
    }

    [Fact]
    public void Succeeded_ClearsTheAddress_AndAnIpv4MappedAddressIsTheSameClient()
    {
        var limiter = new DashboardSignInLimiter(_time);
        for (var i = 0; i < DashboardSignInLimiter.MaxFailures; i++)
        {
            limiter.Failed(Client.MapToIPv6());
        }

        Assert.NotNull(limiter.RetryAfter(Client));
        limiter.Succeeded(Client);
        Assert.Null(limiter.RetryAfter(Client.MapToIPv6()));
    }

    [Fact]
    public void Failed_FromMoreAddressesThanTheBound_KeepsAtMostMaxAddresses()
    {
        var limiter = new DashboardSignInLimiter(_time);
        for (var i = 0; i < DashboardSignInLimiter.MaxAddresses + 50; i++)
        {
            limiter.Failed(new IPAddress(BitConverter.GetBytes(0x0A000000 + i)));
        }

        Assert.Equal(DashboardSignInLimiter.MaxAddresses, limiter.TrackedAddresses);

        // Once their failures are old, new addresses replace them.
        _time.Advance(DashboardSignInLimiter.Window);
        limiter.Failed(Client);
        Assert.Equal(1, limiter.TrackedAddresses);
    }
}
