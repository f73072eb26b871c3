using System.Security.Cryptography;
using System.Text;
using JourneyFunctions.Core.Security;

namespace JourneyFunctions.Core.Tests.Security;

public sealed class AddressHasherTests
{
    private const string Key = "address-hasher-tests-key-0123456789abcdef";

    [Theory]
    [InlineData("  Ann@Example.COM ", "ann@example.com")]
    [InlineData("bob@example.com", "BOB@EXAMPLE.COM")]
    public void Compute_SameAddressDifferentCaseOrSpaces_SameHash(string a, string b)
    {
        var hasher = new AddressHasher(Key);
        var hash = hasher.Compute(a);

        Assert.Equal(hash, hasher.Compute(b));
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.NotEqual(hash, hasher.Compute("someone-else@example.com"));
    }

    [Fact]
    public void Compute_IsAnHmacUnderTheKey_NotThePlainHashAnyoneCanCompute()
    {
        var plain = Convert.ToHexStringLower(SHA256.HashData("ann@example.com"u8));
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), Encoding.ASCII.GetBytes(plain)));

        var keyed = new AddressHasher(Key).Compute("Ann@Example.com");

        Assert.Equal(plain, AddressHasher.Legacy("Ann@Example.com"));
        Assert.Equal(expected, keyed);
        Assert.NotEqual(plain, keyed);
        Assert.NotEqual(keyed, new AddressHasher(Key + "-other").Compute("Ann@Example.com"));
    }

    [Fact]
    public void Rekey_OfThePlainHash_IsTheKeyedHashOfTheAddress()
    {
        var hasher = new AddressHasher(Key);

        Assert.Equal(hasher.Compute("ann@example.com"), hasher.Rekey(AddressHasher.Legacy("ann@example.com")));
    }

    [Fact]
    public void Matches_KeyedOrPlainHashOfTheAddress_ButNoOtherAddress()
    {
        var hasher = new AddressHasher(Key);

        Assert.True(hasher.Matches(hasher.Compute("ann@example.com"), " ANN@example.com"));
        Assert.True(hasher.Matches(AddressHasher.Legacy("ann@example.com"), "ann@example.com"));
        Assert.False(hasher.Matches(hasher.Compute("ann@example.com"), "victim@example.com"));
        Assert.False(hasher.Matches(null, "ann@example.com"));
    }

    [Fact]
    public void New_ShortKey_Refused_AndToStringNeverShowsTheKey()
    {
        var refused = Assert.Throws<ArgumentException>(() => new AddressHasher("too-short"));

        Assert.DoesNotContain("too-short", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, new AddressHasher(Key).ToString(), StringComparison.Ordinal);
    }
}
