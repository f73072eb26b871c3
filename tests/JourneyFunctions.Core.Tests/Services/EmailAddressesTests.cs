using System.Text;
using JourneyFunctions.Core.Contacts;

namespace JourneyFunctions.Core.Tests.Services;

/// <summary>
/// The ASCII fast path of <see cref="EmailAddresses.TryParse(string?, bool, out string?, out string?)"/> gives exactly
/// the answer of the MimeKit path: on a corpus of tricky addresses and on seeded generated ones, the result, the
/// address and the problem are the same, and every address the fast path takes is one MimeKit takes as it is.
/// </summary>
public sealed class EmailAddressesTests
{
    private static readonly string[] Tricky =
    [
        "ana@example.com", "ana.maria+shop@sub.example.co.uk", "a@b.co", "a@b.c", "a@bc", "a@b", "a@localhost", "journeys@localhost",
        "a@b.com,c@evil.com", "a@@b.com", "x<c@evil.com>@b.com", "ana\0@example.com", "ana@exa\0mple.com", "ana@example.com\0",
        "\"ana maria\"@example.com", "\"ana\"@example.com", "\"a@b\"@example.com", "\"\"@example.com", "\"a\\\"b\"@example.com",
        "Ana <ana@example.com>", "<ana@example.com>", "ana@example.com (Ana)", "(c)ana@example.com", "ana(c)@example.com",
        "ana@[192.168.0.1]", "ana@[IPv6:::1]", "@example.com", "ana@", "ana", "", " ", " ana@example.com", "ana@example.com ",
        "ana @example.com", "ana@ example.com", "ana@example.com;bo@example.com", "group: ana@example.com;", "@route:ana@example.com",
        ".ana@example.com", "ana.@example.com", "an..a@example.com", "ana@.example.com", "ana@example.com.", "ana@example..com",
        "ana@-example.com", "ana@example-.com", "ana@exa_mple.com", "ana@123.456", "ana@example.c0m", "ANA@EXAMPLE.COM",
        "ana@xn--bcher-kva.com", "ana@XN--bcher-kva.com", "ana@sub.xn--bcher-kva.com", "ana@bücher.com", "ána@example.com",
        "ana@例え.jp", "用户@例子.广告", "ana@example.com\u200B", "ana\u00A0@example.com", "ana\u2028@example.com",
        "a!#$%&'*+-/=?^_`{|}~@example.com", "!@example.com", "{ana}@example.com", "ana|bo@example.com", "ana=bo@example.com",
        "ana/bo@example.com", "ana?@example.com", "ana`@example.com", "~@example.com", "ana@ex!ample.com", "ana@ex+ample.com",
        "ana\\@example.com", "ana\"@example.com", "ana,bo@example.com", "ana:bo@example.com", "ana;@example.com", "ana[@example.com",
        "ana@example.com>", "ana@example.com<", "ana@@", "@@", "@", "a@b@c.com", "ana\r\n@example.com", "ana\t@example.com",
        "=?utf-8?q?ana?=@example.com", "ana@=?utf-8?q?example?=.com", "ana@1.2.3.4", "ana@a.b.c.d.e.f.g.h",
        new string('a', 64) + "@example.com", new string('a', 65) + "@example.com", new string('a', 242) + "@example.com",
        new string('a', 243) + "@example.com", "ana@" + new string('b', 63) + ".com", "ana@" + new string('b', 64) + ".com",
    ];

    public static TheoryData<string> Corpus()
    {
        var data = new TheoryData<string>();
        foreach (var text in Tricky)
        {
            data.Add(text);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void TryParse_TrickyAddress_SameAnswerAsMimeKit(string text) => AssertSameAnswer(text);

    [Fact]
    public void TryParse_GeneratedAddresses_SameAnswerAsMimeKit()
    {
        // Mostly plain characters with the troublesome ones mixed in, so both paths are exercised many times over.
        const string alphabet = "abcxyzABZ0189.-_+@@..!#$%&'*/=?^`{|}~\"\\ ,;:<>()[]\0\t\u00A0éü例";
        var random = new Random(20261203);
        var fast = 0;
        for (var n = 0; n < 20_000; n++)
        {
            // local@label.tld, each character now and then a troublesome one, and now and then one more anywhere.
            var sb = new StringBuilder();
            Append(sb, random, alphabet, random.Next(1, 12));
            sb.Append('@');
            Append(sb, random, alphabet, random.Next(1, 10));
            sb.Append('.');
            Append(sb, random, alphabet, random.Next(1, 5));
            if (random.Next(4) == 0)
            {
                sb.Insert(random.Next(sb.Length + 1), alphabet[random.Next(alphabet.Length)]);
            }

            var text = sb.ToString();
            fast += EmailAddresses.IsPlainAddress(text, requireDottedDomain: true) ? 1 : 0;
            AssertSameAnswer(text);
        }

        // The fast path was taken often enough for the comparison to mean something.
        Assert.True(fast > 2_000, $"only {fast} generated addresses took the fast path");
    }

    private static void Append(StringBuilder sb, Random random, string alphabet, int length)
    {
        for (var i = 0; i < length; i++)
        {
            sb.Append(random.Next(8) == 0 ? alphabet[random.Next(alphabet.Length)] : (char)('a' + random.Next(26)));
        }
    }

    [Theory]
    [InlineData("ana@example.com")]
    [InlineData("a!#$%&'*+-/=?^_`{|}~@sub.example-shop.co.uk")]
    public void IsPlainAddress_PlainAddress_True(string text) => Assert.True(EmailAddresses.IsPlainAddress(text, requireDottedDomain: true));

    [Theory]
    [InlineData("a@b.com,c@evil.com")]
    [InlineData("a@@b.com")]
    [InlineData("x<c@evil.com>@b.com")]
    [InlineData("ana\0@example.com")]
    [InlineData("\"ana\"@example.com")]
    [InlineData("ana@xn--bcher-kva.com")]
    [InlineData("Ana <ana@example.com>")]
    [InlineData("ana@bücher.com")]
    public void IsPlainAddress_NotPlain_FalseSoMimeKitDecides(string text) => Assert.False(EmailAddresses.IsPlainAddress(text, requireDottedDomain: true));

    private static void AssertSameAnswer(string text)
    {
        foreach (var dotted in new[] { true, false })
        {
            var ok = EmailAddresses.TryParse(text, dotted, out var address, out var problem);
            var mimeKitOk = EmailAddresses.TryParseWithMimeKit(text, dotted, out var mimeKitAddress, out var mimeKitProblem);

            Assert.True(ok == mimeKitOk, $"'{Escape(text)}' (dotted domain {dotted}): fast path {ok}, MimeKit {mimeKitOk} ({mimeKitProblem})");
            Assert.Equal(mimeKitAddress, address);
            Assert.Equal(mimeKitProblem, problem);
            if (EmailAddresses.IsPlainAddress(text, dotted))
            {
                Assert.True(mimeKitOk, $"'{Escape(text)}' took the fast path but MimeKit refuses it: {mimeKitProblem}");
            }
        }
    }

    private static string Escape(string text) => string.Concat(text.Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:X4}" : c.ToString()));
}
