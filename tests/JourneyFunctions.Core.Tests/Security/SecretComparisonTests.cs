using System.Text;
using JourneyFunctions.Core.Security;

namespace JourneyFunctions.Core.Tests.Security;

public sealed class SecretComparisonTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("a-configured-key-of-32-characters!");

    [Fact]
    public void Matches_TheSameKey_IsTrue() => Assert.True(SecretComparison.Matches(Key, "a-configured-key-of-32-characters!"));

    [Theory]
    [InlineData("a-configured-key-of-32-characters?")]
    [InlineData("a-configured-key-of-32-characters!x")]
    [InlineData("a")]
    [InlineData("")]
    public void Matches_AnotherKeyOfAnyLength_IsFalse(string presented) => Assert.False(SecretComparison.Matches(Key, presented));

    [Fact]
    public void Matches_NoKey_IsFalse() => Assert.False(SecretComparison.Matches(Key, null));

    [Fact]
    public void Matches_Strings_ComparesTheirUtf8()
    {
        Assert.True(SecretComparison.Matches("clé-ü", "clé-ü"));
        Assert.False(SecretComparison.Matches("clé-ü", "cle-u"));
    }
}
