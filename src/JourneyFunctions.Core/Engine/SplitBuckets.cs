using System.Text;
using JourneyFunctions.Core.Model;

namespace JourneyFunctions.Core.Engine;

/// <summary>
/// Stable split assignment: FNV-1a 64 over the UTF-8 bytes of <c>journey\ncontact\nstep</c>, modulo 100. No randomness,
/// so a contact always takes the same path of a split, on every host and every replay, and a report can recompute it.
/// </summary>
public static class SplitBuckets
{
    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;

    /// <summary>The contact's bucket for a split step, 0 to 99.</summary>
    public static int For(string journeyId, string contactId, string stepId)
    {
        var hash = OffsetBasis;
        hash = Add(hash, journeyId);
        hash = AddByte(hash, (byte)'\n');
        hash = Add(hash, contactId);
        hash = AddByte(hash, (byte)'\n');
        hash = Add(hash, stepId);
        return (int)(hash % 100);
    }

    /// <summary>
    /// The index of the path a bucket falls in: paths take consecutive ranges of buckets by their percentages, in
    /// order. A bucket past the total (percentages summing to less than 100, which validation rejects) takes the last path.
    /// </summary>
    public static int PathIndex(IReadOnlyList<SplitPath> paths, int bucket)
    {
        var cumulative = 0;
        for (var i = 0; i < paths.Count; i++)
        {
            cumulative += paths[i].Percent;
            if (bucket < cumulative)
            {
                return i;
            }
        }

        return paths.Count - 1;
    }

    private static ulong Add(ulong hash, string text)
    {
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            var n = rune.EncodeToUtf8(bytes);
            for (var i = 0; i < n; i++)
            {
                hash = AddByte(hash, bytes[i]);
            }
        }

        return hash;
    }

    private static ulong AddByte(ulong hash, byte b) => unchecked((hash ^ b) * Prime);
}
