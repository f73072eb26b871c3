using JourneyFunctions.Core.Validation;

namespace JourneyFunctions.Core.Tests.Validation;

public sealed class SuggestionsTests
{
    [Theory]
    [InlineData("emial", "email")]
    [InlineData("remindr-2", "reminder-2")]
    [InlineData("Template", "template")]
    [InlineData("waitforevent", "waitForEvent")]
    [InlineData("onTimout", "onTimeout")]
    public void Closest_Typo_FindsTheIntendedName(string typo, string expected)
    {
        string[] candidates = ["email", "wait", "waitForEvent", "reminder-1", "reminder-2", "template", "onEvent", "onTimeout"];

        Assert.Equal(expected, Suggestions.Closest(typo, candidates));
    }

    [Theory]
    [InlineData("banana")]
    [InlineData("x")]
    [InlineData("")]
    public void Closest_NothingClose_IsNull(string input)
    {
        Assert.Null(Suggestions.Closest(input, ["email", "wait", "split"]));
    }

    [Theory]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "acb", 1)]
    [InlineData("abc", "ABC", 0)]
    [InlineData("kitten", "sitting", 3)]
    public void Distance_KnownPairs_AreEditDistancesWithTranspositions(string a, string b, int expected)
    {
        Assert.Equal(expected, Suggestions.Distance(a, b));
    }
}
