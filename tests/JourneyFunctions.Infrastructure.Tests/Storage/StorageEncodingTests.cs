using System.Text;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Storage;

namespace JourneyFunctions.Infrastructure.Tests.Storage;

/// <summary>The pure encodings under the Azure stores: table keys and the queue's message and poison formats.</summary>
public sealed class StorageEncodingTests
{
    public static TheoryData<string> NastyIds => TestData.NastyIds;

    [Theory]
    [MemberData(nameof(NastyIds))]
    [InlineData("")]
    [InlineData("~")]
    [InlineData("~7E")]
    public void Escape_AnyId_GivesAValidTableKey(string id)
    {
        var key = TableKeys.Escape(id);

        Assert.NotEmpty(key);
        Assert.DoesNotContain(key, c => c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c) || c > 127);
    }

    [Fact]
    public void Escape_DistinctIds_GiveDistinctKeys()
    {
        IEnumerable<object?[]> rows = TestData.NastyIds;
        string[] ids = ["", "~", "~7E", "a/b", "a~2Fb", "a%2Fb", "A", "a", "é", "e\u0301", .. rows.Select(d => (string)d[0]!)];

        Assert.Equal(ids.Length, ids.Select(TableKeys.Escape).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Escape_PlainId_IsUnchanged()
    {
        Assert.Equal("welcome-series_v2.0@shop+x", TableKeys.Escape("welcome-series_v2.0@shop+x"));
    }

    [Fact]
    public void Escape_TooLongOnceEscaped_ThrowsStorageLimit()
    {
        var ex = Assert.Throws<StorageLimitException>(() => TableKeys.Escape(new string('/', 400)));

        Assert.Contains("512", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("with-dash")]
    public void StorageTables_InvalidPrefix_Throws(string prefix)
    {
        var service = new Azure.Data.Tables.TableServiceClient("UseDevelopmentStorage=true");

        Assert.Throws<ArgumentException>(() => new StorageTables(service, prefix));
    }

    [Fact]
    public void WrapPoison_SmallBody_KeepsItVerbatim()
    {
        var at = TestData.T0;
        var wrapped = QueueMessages.WrapPoison("m-1", """{"id":"e-1"}""", "bad", at);

        Assert.Equal(new PoisonMessage("m-1", """{"id":"e-1"}""", "bad", at), QueueMessages.UnwrapPoison("other-id", wrapped, at.AddDays(1)));
    }

    [Fact]
    public void WrapPoison_IncompressibleBodyAtTheLimit_IsCutToFitAndSaysSo()
    {
        var random = new Random(42);
        const string alphabet = "\"\\abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        var body = new string([.. Enumerable.Range(0, QueueMessages.MaxBodyBytes).Select(_ => alphabet[random.Next(alphabet.Length)])]);

        var wrapped = QueueMessages.WrapPoison("m-1", body, "kept failing", TestData.T0);
        var poison = QueueMessages.UnwrapPoison("m-1", wrapped, TestData.T0);

        Assert.True(QueueMessages.EncodedLength(Encoding.UTF8.GetByteCount(wrapped)) <= QueueMessages.MaxEncodedBytes);
        Assert.StartsWith(poison.Body, body, StringComparison.Ordinal);
        Assert.True(poison.Body.Length < body.Length);
        Assert.Contains($"cut from {body.Length} characters", poison.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void UnwrapPoison_RawEventBody_IsKeptWithTheTriggerReason()
    {
        var poison = QueueMessages.UnwrapPoison("m-9", """{"id":"e-1","contactId":"c","name":"x","occurredAt":"2026-03-01T09:00:00Z"}""", TestData.T0);

        Assert.Equal("m-9", poison.MessageId);
        Assert.Contains("queue trigger", poison.Reason, StringComparison.Ordinal);
        Assert.Equal(TestData.T0, poison.At);
    }

    [Fact]
    public void TryParse_ValidEvent_ParsesAndInvalidGivesReason()
    {
        Assert.NotNull(QueueMessages.TryParse("""{"id":"e-1","contactId":"c","name":"x","occurredAt":"2026-03-01T09:00:00Z"}""", out var none));
        Assert.Null(none);
        Assert.Null(QueueMessages.TryParse("null", out var nullError));
        Assert.Contains("null", nullError, StringComparison.Ordinal);
        Assert.Null(QueueMessages.TryParse("""{"id":"e-1","unknown":1}""", out var error));
        Assert.NotNull(error);
    }
}
