using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Tests.Engine;

public sealed class SplitBucketsTests
{
    [Theory]
    // FNV-1a 64 of the UTF-8 bytes of "journey\ncontact\nstep", mod 100, computed independently below.
    [InlineData("abandoned-cart", "ana", "ab")]
    [InlineData("welcome-series", "contact-1", "split")]
    [InlineData("j", "josé@example.com", "ünïcode-step")]
    [InlineData("", "", "")]
    public void For_Inputs_IsFnv1a64Mod100(string journey, string contact, string step)
    {
        ulong hash = 14695981039346656037;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes($"{journey}\n{contact}\n{step}"))
        {
            hash = unchecked((hash ^ b) * 1099511628211);
        }

        Assert.Equal((int)(hash % 100), SplitBuckets.For(journey, contact, step));
    }

    [Theory]
    // Pinned values (computed outside .NET): a change of hash would move contacts between paths of live splits.
    [InlineData("", "", "", 73)]
    [InlineData("abandoned-cart", "ana", "ab", 9)]
    [InlineData("promo", "contact-1", "ab", 41)]
    public void For_KnownInputs_ArePinned(string journey, string contact, string step, int bucket)
    {
        Assert.Equal(bucket, SplitBuckets.For(journey, contact, step));
    }

    [Fact]
    public void For_ManyContacts_SpreadsEvenly()
    {
        var counts = new int[2];
        for (var i = 0; i < 20_000; i++)
        {
            counts[SplitBuckets.For("promo", "contact-" + i, "ab") < 50 ? 0 : 1]++;
        }

        Assert.InRange(counts[0], 9_400, 10_600);
    }

    [Fact]
    public void For_DifferentStep_IsIndependent()
    {
        var same = 0;
        for (var i = 0; i < 1_000; i++)
        {
            if (SplitBuckets.For("j", "c" + i, "one") < 50 == SplitBuckets.For("j", "c" + i, "two") < 50)
            {
                same++;
            }
        }

        Assert.InRange(same, 420, 580);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(9, 0)]
    [InlineData(10, 1)]
    [InlineData(39, 1)]
    [InlineData(40, 2)]
    [InlineData(99, 2)]
    public void PathIndex_Bucket_FallsInCumulativeRange(int bucket, int expected)
    {
        SplitPath[] paths = [new() { Percent = 10 }, new() { Percent = 30 }, new() { Percent = 60 }];

        Assert.Equal(expected, SplitBuckets.PathIndex(paths, bucket));
    }

    [Fact]
    public void PathIndex_PercentagesShortOf100_LastPathTakesTheRest()
    {
        SplitPath[] paths = [new() { Percent = 10 }, new() { Percent = 20 }];

        Assert.Equal(1, SplitBuckets.PathIndex(paths, 95));
    }
}
