using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Services;

namespace JourneyFunctions.Core.Tests.Services;

/// <summary>The id rule counts what it used to build: the twice-escaped length, and control characters as char.IsControl says.</summary>
public sealed class IdLimitsTests
{
    [Theory]
    [InlineData("ana")]
    [InlineData("load-12345")]
    [InlineData("a-b_c.d@e+f")]
    [InlineData("gid://shopify/Customer/7008")]
    [InlineData("100% off & more")]
    [InlineData("Zoë ümlaut")]
    [InlineData("用户-例子")]
    [InlineData("rocket \U0001F680 launch")]
    [InlineData("lone \uD800 high")]
    [InlineData("lone \uDC00 low")]
    [InlineData("~!#$^*()[]{}|\\;:'\",<>?`=")]
    [InlineData("")]
    public void KeyLength_AnyId_EqualsTheTwiceEscapedString(string id) =>
        Assert.Equal(RunIds.EscapePart(RunIds.EscapePart(id)).Length, IdLimits.KeyLength(id));

    [Fact]
    public void KeyLength_EveryChar_EqualsTheTwiceEscapedString()
    {
        for (var c = 0; c <= char.MaxValue; c++)
        {
            var id = "a" + (char)c + "b";
            Assert.Equal(RunIds.EscapePart(RunIds.EscapePart(id)).Length, IdLimits.KeyLength(id));
        }
    }

    [Fact]
    public void Problem_EveryChar_RefusesExactlyTheControlCharacters()
    {
        for (var c = 0; c <= char.MaxValue; c++)
        {
            if (char.IsSurrogate((char)c))
            {
                continue;
            }

            var problem = IdLimits.Problem("a" + (char)c + "b");
            var refusedAsControl = problem?.Contains("control characters", StringComparison.Ordinal) == true;
            Assert.True(char.IsControl((char)c) == refusedAsControl, $"U+{c:X4}: {problem ?? "accepted"}");
        }
    }
}
