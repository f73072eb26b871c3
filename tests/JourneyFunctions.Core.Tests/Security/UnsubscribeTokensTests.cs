using System.Reflection;
using System.Reflection.Emit;
using System.Security.Cryptography;
using JourneyFunctions.Core.Security;
using Microsoft.Extensions.Time.Testing;

namespace JourneyFunctions.Core.Tests.Security;

public sealed class UnsubscribeTokensTests
{
    private static readonly DateTimeOffset IssuedAt = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly UnsubscribeKey KeyA = new() { Id = "a", Secret = "secret-a-0123456789-0123456789-0123456789" };
    private static readonly UnsubscribeKey KeyB = new() { Id = "b-2026", Secret = "secret-b-9876543210-9876543210-9876543210" };

    [Theory]
    [InlineData("c-1", "marketing")]
    [InlineData("contact with spaces/and+symbols?&=", "abandoned-cart")]
    [InlineData("ünïcödé-✓", "journey:welcome")]
    public void TryVerify_CreatedToken_ReturnsTheClaims(string contactId, string scope)
    {
        var tokens = Tokens(KeyA);

        var token = tokens.Create(contactId, scope, IssuedAt);

        Assert.True(tokens.TryVerify(token, out var claims));
        Assert.Equal(new UnsubscribeClaims(contactId, scope, IssuedAt, "a"), claims);
        Assert.Matches("^[A-Za-z0-9_.-]+$", token);
    }

    [Fact]
    public void TryVerify_EveryCharacterChanged_Rejected()
    {
        var tokens = Tokens(KeyA);
        var token = tokens.Create("c-1", "marketing", IssuedAt);

        for (var i = 0; i < token.Length; i++)
        {
            var replacement = token[i] == 'A' ? 'B' : 'A';
            var tampered = string.Concat(token.AsSpan(0, i), replacement.ToString(), token.AsSpan(i + 1));
            Assert.False(tokens.TryVerify(tampered, out _), $"changed at {i}: {tampered}");
        }
    }

    [Fact]
    public void TryVerify_PayloadOfAnotherContactWithOriginalSignature_Rejected()
    {
        var tokens = Tokens(KeyA);
        var mine = tokens.Create("c-1", "marketing", IssuedAt).Split('.');
        var theirs = tokens.Create("c-2", "marketing", IssuedAt).Split('.');

        Assert.False(tokens.TryVerify($"{mine[0]}.{mine[1]}.{theirs[2]}.{mine[3]}", out _));
    }

    [Fact]
    public void TryVerify_SignedWithAnotherSecretUnderTheSameId_Rejected()
    {
        var forged = Tokens(new UnsubscribeKey { Id = "a", Secret = "not-the-real-secret-000000000000000000" }).Create("c-1", "marketing", IssuedAt);

        Assert.False(Tokens(KeyA).TryVerify(forged, out _));
    }

    [Fact]
    public void TryVerify_UnknownKeyId_Rejected()
    {
        var token = Tokens(KeyB).Create("c-1", "marketing", IssuedAt);

        Assert.False(Tokens(KeyA).TryVerify(token, out _));
    }

    [Fact]
    public void TryVerify_AfterRotation_OldTokensStillVerifyAndNewOnesUseTheNewKey()
    {
        var before = Tokens(KeyA).Create("c-1", "marketing", IssuedAt);
        var rotated = Tokens(KeyB, KeyA);

        var after = rotated.Create("c-1", "marketing", IssuedAt);

        Assert.True(rotated.TryVerify(before, out var old));
        Assert.Equal("a", old.KeyId);
        Assert.True(rotated.TryVerify(after, out var fresh));
        Assert.Equal("b-2026", fresh.KeyId);
        Assert.False(Tokens(KeyA).TryVerify(after, out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("1.a.x")]
    [InlineData("2.a.W10.AAAA")]
    [InlineData("1.a.!!!.AAAA")]
    public void TryVerify_Malformed_Rejected(string? token)
    {
        Assert.False(Tokens(KeyA).TryVerify(token, out _));
    }

    [Fact]
    public void TryVerify_NoMaxAge_TenYearOldTokenStillWorks()
    {
        var time = new FakeTimeProvider(IssuedAt.AddYears(10));

        var tokens = new UnsubscribeTokens(new UnsubscribeTokenOptions { Keys = [KeyA] }, time);

        Assert.True(tokens.TryVerify(tokens.Create("c-1", "marketing", IssuedAt), out _));
    }

    [Fact]
    public void TryVerify_OlderThanMaxAge_Rejected()
    {
        var time = new FakeTimeProvider(IssuedAt);
        var tokens = new UnsubscribeTokens(new UnsubscribeTokenOptions { Keys = [KeyA], MaxAge = TimeSpan.FromDays(30) }, time);
        var token = tokens.Create("c-1", "marketing", IssuedAt);

        time.Advance(TimeSpan.FromDays(30));
        Assert.True(tokens.TryVerify(token, out _));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(tokens.TryVerify(token, out _));
    }

    [Fact]
    public void Constructor_NoKeyOrShortSecretOrBadId_Throws()
    {
        Assert.Throws<ArgumentException>(() => new UnsubscribeTokens(new UnsubscribeTokenOptions()));
        Assert.Throws<ArgumentException>(() => Tokens(new UnsubscribeKey { Id = "a", Secret = "short" }));
        Assert.Throws<ArgumentException>(() => Tokens(new UnsubscribeKey { Id = "a.b", Secret = KeyA.Secret }));
    }

    [Fact]
    public void TryVerify_ComparesSignaturesWithFixedTimeEquals()
    {
        var calls = typeof(UnsubscribeTokens)
            .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m.Name == nameof(UnsubscribeTokens.TryVerify))
            .SelectMany(CalledMethods)
            .ToList();

        Assert.Contains(calls, m => m.DeclaringType == typeof(CryptographicOperations) && m.Name == nameof(CryptographicOperations.FixedTimeEquals));
        Assert.DoesNotContain(calls, m => m.Name is "SequenceEqual" or "op_Equality" && m.DeclaringType != typeof(string));
    }

    [Theory]
    [InlineData("https://shop.example", "https://shop.example/api/unsubscribe?token=1.a.b%2Bc.d")]
    [InlineData("https://shop.example/journeys/", "https://shop.example/journeys/api/unsubscribe?token=1.a.b%2Bc.d")]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/api/unsubscribe?token=1.a.b%2Bc.d")]
    public void BuildUrl_BaseUrl_AppendsTheEndpointAndEscapedToken(string baseUrl, string expected)
    {
        Assert.Equal(expected, UnsubscribeLinks.BuildUrl(baseUrl, "1.a.b+c.d"));
    }

    [Theory]
    [InlineData("http://shop.example")]
    [InlineData("shop.example")]
    [InlineData("ftp://shop.example")]
    public void BuildUrl_NotHttpsOutsideLoopback_Throws(string baseUrl)
    {
        Assert.Throws<ArgumentException>(() => UnsubscribeLinks.BuildUrl(baseUrl, "t"));
    }

    [Fact]
    public void Headers_Url_AreTheRfc8058Pair()
    {
        var headers = UnsubscribeLinks.Headers("https://shop.example/api/unsubscribe?token=t", "unsubscribe@shop.example");

        Assert.Equal("<https://shop.example/api/unsubscribe?token=t>, <mailto:unsubscribe@shop.example>", headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", headers["List-Unsubscribe-Post"]);
    }

    [Fact]
    public void Build_ContactAndScope_UrlWhoseTokenVerifiesToThem()
    {
        var time = new FakeTimeProvider(IssuedAt);
        var tokens = new UnsubscribeTokens(new UnsubscribeTokenOptions { Keys = [KeyA] }, time);
        var builder = new UnsubscribeUrlBuilder(tokens, Microsoft.Extensions.Options.Options.Create(new JourneyFunctions.Core.Services.SendingOptions { PublicBaseUrl = "https://shop.example/" }), time);

        var url = new Uri(builder.Build("c-9", "marketing"));

        Assert.Equal("https://shop.example/api/unsubscribe", url.GetLeftPart(UriPartial.Path));
        var token = Uri.UnescapeDataString(url.Query["?token=".Length..]);
        Assert.True(tokens.TryVerify(token, out var claims));
        Assert.Equal(new UnsubscribeClaims("c-9", "marketing", IssuedAt, "a"), claims);
    }

    private static UnsubscribeTokens Tokens(params UnsubscribeKey[] keys) => new(new UnsubscribeTokenOptions { Keys = keys });

    private static IEnumerable<MethodBase> CalledMethods(MethodInfo method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray()!;
        var call = OpCodes.Call.Value;
        var callvirt = OpCodes.Callvirt.Value;
        for (var i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] == call || il[i] == callvirt)
            {
                MethodBase? target = null;
                try
                {
                    target = method.Module.ResolveMethod(BitConverter.ToInt32(il, i + 1));
                }
                catch (ArgumentException)
                {
                }

                if (target is not null)
                {
                    yield return target;
                }
            }
        }
    }
}
