using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Sends entity-group transactions (<c>POST $batch</c>) with a request body written straight to UTF-8 in one pooled
/// buffer and a response read by scanning its bytes for each operation's status and ETag. It is the same request the
/// Table SDK sends for <see cref="TableClient.SubmitTransactionAsync"/> (same protocol version, operations, headers
/// and all-or-nothing semantics), without the SDK's per-operation cost: the SDK builds a full HTTP message per
/// operation, serializes its request line and headers to strings two or three times (length, then body), and parses
/// the multipart answer line by line into a response object with a header dictionary per operation, about 35 KB per
/// operation on top of 29 KB per transaction (measured over Azurite); this costs a few KB per transaction.
/// </summary>
/// <remarks>
/// Built by <see cref="StorageClients.CreateTableService"/> next to the Table client, over the same client options (so
/// the same retry policy and the same extra pipeline policies, such as request counters, see its requests), when it
/// can authenticate on its own: an account key from the connection string (Shared Key, as the SDK signs) or a token
/// credential (Microsoft Entra ID). Otherwise (a SAS connection string, a client built elsewhere)
/// <see cref="StorageTables.Batches"/> is null and the SDK's transactions are used.
/// </remarks>
internal sealed class TableBatchTransport
{
    private const string Version = "2019-02-02";

    private static readonly ConditionalWeakTable<TableServiceClient, TableBatchTransport> Registered = [];

    private readonly HttpPipeline _pipeline;
    private readonly string _endpoint;

    private TableBatchTransport(HttpPipeline pipeline, Uri endpoint)
    {
        _pipeline = pipeline;
        _endpoint = endpoint.AbsoluteUri.TrimEnd('/');
    }

    /// <summary>The transport built with <paramref name="service"/>, if any.</summary>
    public static TableBatchTransport? For(TableServiceClient service) => Registered.TryGetValue(service, out var transport) ? transport : null;

    /// <summary>Signs with the account key (Shared Key, as the Table SDK does).</summary>
    public static void Register(TableServiceClient service, TableClientOptions options, string accountName, byte[] accountKey) =>
        Registered.AddOrUpdate(service, new TableBatchTransport(HttpPipelineBuilder.Build(options, new SharedKeyPolicy(accountName, accountKey)), service.Uri));

    /// <summary>Signs with a Microsoft Entra ID token for Azure Storage.</summary>
    public static void Register(TableServiceClient service, TableClientOptions options, TokenCredential credential) =>
        Registered.AddOrUpdate(service, new TableBatchTransport(HttpPipelineBuilder.Build(options, new BearerTokenAuthenticationPolicy(credential, "https://storage.azure.com/.default")), service.Uri));

    /// <summary>
    /// Sends the operations (all of one partition of <paramref name="table"/>) as one transaction and returns the ETag
    /// each stored row got (null for a delete). A transaction the service refuses throws
    /// <see cref="BatchFailedException"/> with the status, error code and index of the failed operation; nothing of
    /// it is written.
    /// </summary>
    public async Task<string?[]> SubmitAsync(string table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0)
        {
            return [];
        }

        var batch = "batch_" + Guid.NewGuid().ToString("D", CultureInfo.InvariantCulture);
        var changeset = "changeset_" + Guid.NewGuid().ToString("D", CultureInfo.InvariantCulture);
        using var body = new PooledBody();
        WriteBody(body, table, actions, batch, changeset);

        using var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(new Uri(_endpoint + "/$batch"));
        request.Headers.SetValue("x-ms-version", Version);
        request.Headers.SetValue("DataServiceVersion", "3.0");
        request.Headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        request.Headers.SetValue("Accept", "application/json;odata=minimalmetadata");
        request.Headers.SetValue("Content-Type", "multipart/mixed; boundary=" + batch);
        request.Content = RequestContent.Create(body.Written);
        message.BufferResponse = false;
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);

        var response = message.Response;
        if (response.Status != 202)
        {
            throw new RequestFailedException(response);
        }

        var (buffer, length) = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
        try
        {
            return ReadResults(buffer.AsSpan(0, length), actions.Count, response.Status);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The answer's body read into a pooled buffer (the caller returns it): the pipeline is told not to buffer these
    /// answers itself, which it does in a memory stream grown by doubling, a few KB per request.
    /// </summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(Response response, CancellationToken cancellationToken)
    {
        var declared = response.Headers.ContentLength is { } n && n > 0 && n < 8 * 1024 * 1024 ? (int)n : 0;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(declared, 4096));
        var length = 0;
        if (response.ContentStream is not { } stream)
        {
            return (buffer, 0);
        }

        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// The rows of <paramref name="table"/> matching <paramref name="filter"/> (an OData filter, as
    /// <see cref="TableClient.CreateQueryFilter(FormattableString)"/> makes), every page, parsed from the answer's
    /// UTF-8 straight into <see cref="TableEntity"/> values of the types the SDK gives them (binary, 32- and 64-bit
    /// integers, doubles, booleans, dates as <see cref="DateTimeOffset"/>, GUIDs, strings; the ETag as
    /// <see cref="TableEntity.ETag"/>). The SDK's query first builds every value as a string in a dictionary, base64
    /// text included, and then copies that dictionary into the entity.
    /// </summary>
    public async Task<List<TableEntity>> QueryAsync(string table, string filter, int maxPerPage, CancellationToken cancellationToken)
    {
        var rows = new List<TableEntity>();
        var query = "?$filter=" + Uri.EscapeDataString(filter) + "&$top=" + maxPerPage.ToString(CultureInfo.InvariantCulture);
        string? nextPartition = null;
        string? nextRow = null;
        do
        {
            using var message = _pipeline.CreateMessage();
            var request = message.Request;
            request.Method = RequestMethod.Get;
            var uri = _endpoint + "/" + Uri.EscapeDataString(table) + "()" + query;
            if (nextPartition is not null)
            {
                uri += "&NextPartitionKey=" + Uri.EscapeDataString(nextPartition) + (nextRow is null ? "" : "&NextRowKey=" + Uri.EscapeDataString(nextRow));
            }

            request.Uri.Reset(new Uri(uri));
            request.Headers.SetValue("x-ms-version", Version);
            request.Headers.SetValue("DataServiceVersion", "3.0");
            request.Headers.SetValue("Accept", "application/json;odata=minimalmetadata");
            message.BufferResponse = false;
            await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            var response = message.Response;
            if (response.Status != 200)
            {
                throw new RequestFailedException(response);
            }

            var (buffer, length) = await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
            try
            {
                ReadRows(buffer.AsSpan(0, length), rows);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            nextPartition = response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var pk) ? pk : null;
            nextRow = response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var rk) ? rk : null;
        }
        while (nextPartition is not null);

        return rows;
    }

    private static void ReadRows(ReadOnlySpan<byte> json, List<TableEntity> rows)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("value"u8))
            {
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    rows.Add(ReadEntity(ref reader));
                }

                return;
            }
        }
    }

    /// <summary>One entity object (the reader on its start); the reader is left on its end.</summary>
    private static TableEntity ReadEntity(ref Utf8JsonReader reader)
    {
        // First pass over a copy of the reader (a struct): the type annotations, which may follow their values.
        List<(string Name, string Type)>? types = null;
        var scan = reader;
        var depth = scan.CurrentDepth;
        while (scan.Read() && !(scan.TokenType == JsonTokenType.EndObject && scan.CurrentDepth == depth))
        {
            if (scan.TokenType == JsonTokenType.PropertyName && scan.ValueSpan.EndsWith("@odata.type"u8))
            {
                var name = Encoding.UTF8.GetString(scan.ValueSpan[..^"@odata.type"u8.Length]);
                scan.Read();
                (types ??= []).Add((name, scan.GetString()!));
            }
        }

        var entity = new TableEntity();
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            var name = reader.GetString()!;
            reader.Read();
            if (name.EndsWith("@odata.type", StringComparison.Ordinal) || reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            if (name == "odata.etag")
            {
                entity.ETag = new ETag(reader.GetString()!);
                continue;
            }

            if (name.StartsWith("odata.", StringComparison.Ordinal))
            {
                continue;
            }

            var type = TypeOf(types, name) ?? (name == "Timestamp" ? "Edm.DateTime" : null);
            entity[name] = reader.TokenType switch
            {
                JsonTokenType.String => type switch
                {
                    "Edm.Binary" => reader.GetBytesFromBase64(),
                    "Edm.DateTime" => reader.GetDateTimeOffset(),
                    "Edm.Int64" => long.Parse(reader.ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                    "Edm.Guid" => reader.GetGuid(),
                    "Edm.Double" => ParseDouble(reader.GetString()!),
                    _ => reader.GetString()!,
                },
                JsonTokenType.Number => type == "Edm.Double" || !reader.TryGetInt32(out var i) ? (object)reader.GetDouble() : i,
                JsonTokenType.True => true,
                JsonTokenType.False => false,
                _ => throw new InvalidDataException($"Column {name} of a table row holds a JSON {reader.TokenType}."),
            };
        }

        return entity;
    }

    private static string? TypeOf(List<(string Name, string Type)>? types, string name)
    {
        if (types is null)
        {
            return null;
        }

        foreach (var (column, type) in types)
        {
            if (column == name)
            {
                return type;
            }
        }

        return null;
    }

    /// <summary>Doubles the service cannot write as JSON numbers come as text.</summary>
    private static double ParseDouble(string text) => text switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };

    private void WriteBody(PooledBody body, string table, IReadOnlyList<TableTransactionAction> actions, string batch, string changeset)
    {
        body.Ascii("--").Ascii(batch).Ascii("\r\nContent-Type: multipart/mixed; boundary=").Ascii(changeset).Ascii("\r\n\r\n");
        foreach (var action in actions)
        {
            var entity = action.Entity;
            body.Ascii("--").Ascii(changeset).Ascii("\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n");
            var (method, keyed, hasBody, ifMatch) = action.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", false, true, (ETag?)null),
                TableTransactionActionType.UpdateReplace => ("PUT", true, true, action.ETag),
                TableTransactionActionType.UpdateMerge => ("MERGE", true, true, action.ETag),
                TableTransactionActionType.UpsertReplace => ("PUT", true, true, null),
                TableTransactionActionType.UpsertMerge => ("MERGE", true, true, null),
                TableTransactionActionType.Delete => ("DELETE", true, false, action.ETag),
                _ => throw new ArgumentOutOfRangeException(nameof(actions), action.ActionType, "Unknown transaction action."),
            };

            body.Ascii(method).Ascii(" ").Ascii(_endpoint).Ascii("/").Text(table);
            if (keyed)
            {
                body.Ascii("(PartitionKey='").Key(entity.PartitionKey).Ascii("',RowKey='").Key(entity.RowKey).Ascii("')");
            }

            body.Ascii(" HTTP/1.1\r\nAccept: application/json;odata=minimalmetadata\r\nDataServiceVersion: 3.0\r\n");
            if (ifMatch is { } etag)
            {
                // ETag.All is "*"; a stored ETag is sent as the service gave it.
                body.Ascii("If-Match: ").Text(etag.ToString()).Ascii("\r\n");
            }

            if (hasBody)
            {
                body.Ascii("Content-Type: application/json\r\nPrefer: return-no-content\r\n\r\n");
                WriteEntity(body, entity);
                body.Ascii("\r\n");
            }
            else
            {
                body.Ascii("\r\n");
            }
        }

        body.Ascii("--").Ascii(changeset).Ascii("--\r\n--").Ascii(batch).Ascii("--\r\n");
    }

    /// <summary>The entity as the service's JSON, with the type annotations the SDK writes (binary, 64-bit, dates, GUIDs).</summary>
    private static void WriteEntity(PooledBody body, ITableEntity entity)
    {
        using var json = new Utf8JsonWriter(body);
        json.WriteStartObject();
        if (entity is TableEntity dynamic)
        {
            foreach (var (name, value) in dynamic)
            {
                // Read-only system values of a row that was read are not written; a null is an absent property.
                if (value is null || name.StartsWith("odata.", StringComparison.Ordinal) || name == "Timestamp")
                {
                    continue;
                }

                WriteProperty(json, name, value);
            }
        }
        else
        {
            json.WriteString("PartitionKey", entity.PartitionKey);
            json.WriteString("RowKey", entity.RowKey);
        }

        json.WriteEndObject();
    }

    private static void WriteProperty(Utf8JsonWriter json, string name, object value)
    {
        switch (value)
        {
            case string s:
                json.WriteString(name, s);
                break;
            case byte[] bytes:
                json.WriteBase64String(name, bytes);
                json.WriteString(name + "@odata.type", "Edm.Binary");
                break;
            case BinaryData data:
                json.WriteBase64String(name, data.ToMemory().Span);
                json.WriteString(name + "@odata.type", "Edm.Binary");
                break;
            case int i:
                json.WriteNumber(name, i);
                break;
            case long l:
                json.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                json.WriteString(name + "@odata.type", "Edm.Int64");
                break;
            case bool b:
                json.WriteBoolean(name, b);
                break;
            case double d:
                json.WriteNumber(name, d);
                json.WriteString(name + "@odata.type", "Edm.Double");
                break;
            case DateTimeOffset at:
                json.WriteString(name, at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
                json.WriteString(name + "@odata.type", "Edm.DateTime");
                break;
            case DateTime at:
                json.WriteString(name, at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
                json.WriteString(name + "@odata.type", "Edm.DateTime");
                break;
            case Guid g:
                json.WriteString(name, g);
                json.WriteString(name + "@odata.type", "Edm.Guid");
                break;
            default:
                throw new NotSupportedException($"Column {name} has a value of type {value.GetType().Name}, which table rows cannot hold.");
        }
    }

    /// <summary>
    /// The status line and the ETag header of each operation's answer, in order. The service answers a failed
    /// transaction with the one failed operation, its error's message prefixed with the operation's index.
    /// </summary>
    private static string?[] ReadResults(ReadOnlySpan<byte> content, int count, int status)
    {
        var etags = new string?[count];
        var index = -1;
        var rest = content;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            if (line.StartsWith("HTTP/1.1 "u8))
            {
                index++;
                var operationStatus = int.Parse(line.Slice(9, 3), NumberStyles.None, CultureInfo.InvariantCulture);
                if (operationStatus >= 300)
                {
                    throw Failure(operationStatus, rest, count);
                }
            }
            else if (index >= 0 && index < count && line.Length > 5 && Ascii.EqualsIgnoreCase(line[..5], "ETag:"u8))
            {
                etags[index] = Encoding.UTF8.GetString(line[5..].Trim((byte)' '));
            }
        }

        if (index != count - 1)
        {
            throw new RequestFailedException(status, $"The transaction's answer holds {index + 1} operation results for {count} operations.", "InvalidBatchResponse", null);
        }

        return etags;
    }

    private static BatchFailedException Failure(int status, ReadOnlySpan<byte> rest, int count)
    {
        string? code = null;
        var text = $"The transaction failed with status {status}.";
        var failed = (int?)null;
        var start = rest.IndexOf((byte)'{');
        var stop = rest.IndexOf("\r\n--"u8);
        if (start >= 0 && (stop < 0 || start < stop))
        {
            var json = stop < 0 ? rest[start..] : rest[start..stop];
            try
            {
                var reader = new Utf8JsonReader(json);
                string? property = null;
                while (reader.Read())
                {
                    if (reader.TokenType == JsonTokenType.PropertyName)
                    {
                        property = reader.GetString();
                    }
                    else if (reader.TokenType == JsonTokenType.String && property == "code")
                    {
                        code = reader.GetString();
                    }
                    else if (reader.TokenType == JsonTokenType.String && property == "value")
                    {
                        text = reader.GetString() ?? text;
                    }
                }
            }
            catch (JsonException)
            {
                // Not the JSON error we expect: the status alone says what failed.
            }
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && int.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < count)
        {
            failed = i;
        }

        return new BatchFailedException(status, text, code, failed);
    }

    /// <summary>A growing UTF-8 buffer rented from the shared pool (returned on dispose).</summary>
    private sealed class PooledBody : IBufferWriter<byte>, IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        private int _length;

        public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

        public void Advance(int count) => _length += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsMemory(_length);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsSpan(_length);
        }

        public PooledBody Ascii(string text)
        {
            Ensure(text.Length);
            _length += Encoding.ASCII.GetBytes(text, _buffer.AsSpan(_length));
            return this;
        }

        public PooledBody Text(string text)
        {
            Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
            _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
            return this;
        }

        /// <summary>A key inside <c>(PartitionKey='...')</c>: quotes doubled (OData), then percent-encoded for the URL.</summary>
        public PooledBody Key(string key)
        {
            var odata = key.Contains('\'', StringComparison.Ordinal) ? key.Replace("'", "''", StringComparison.Ordinal) : key;
            var utf8Length = Encoding.UTF8.GetByteCount(odata);
            Ensure(utf8Length * 3);
            var rented = ArrayPool<byte>.Shared.Rent(utf8Length);
            try
            {
                var written = Encoding.UTF8.GetBytes(odata, rented);
                foreach (var b in rented.AsSpan(0, written))
                {
                    if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
                    {
                        _buffer[_length++] = b;
                    }
                    else
                    {
                        _buffer[_length++] = (byte)'%';
                        _buffer[_length++] = (byte)"0123456789ABCDEF"[b >> 4];
                        _buffer[_length++] = (byte)"0123456789ABCDEF"[b & 0xF];
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }

            return this;
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        private void Ensure(int more)
        {
            more = Math.Max(more, 256);
            if (_buffer.Length - _length >= more)
            {
                return;
            }

            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
    }

    /// <summary>
    /// Shared Key authorization of the Table service, as the Table SDK signs: the verb, Content-MD5, Content-Type, the
    /// <c>x-ms-date</c> and the canonicalized resource (<c>/account/path</c>), HMAC-SHA256 with the account key.
    /// </summary>
    private sealed class SharedKeyPolicy(string accountName, byte[] accountKey) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message)
        {
            ArgumentNullException.ThrowIfNull(message);
            var request = message.Request;
            var date = DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture);
            request.Headers.SetValue("x-ms-date", date);
            var contentType = request.Headers.TryGetValue("Content-Type", out var type) ? type : "";
            var md5 = request.Headers.TryGetValue("Content-MD5", out var hash) ? hash : "";
            var toSign = $"{request.Method.Method}\n{md5}\n{contentType}\n{date}\n/{accountName}{request.Uri.ToUri().AbsolutePath}";
            var signature = Convert.ToBase64String(HMACSHA256.HashData(accountKey, Encoding.UTF8.GetBytes(toSign)));
            request.Headers.SetValue("Authorization", $"SharedKey {accountName}:{signature}");
        }
    }
}

/// <summary>A transaction the service refused (see <see cref="TableBatchTransport.SubmitAsync"/>); nothing of it was written.</summary>
internal sealed class BatchFailedException(int status, string message, string? errorCode, int? failedIndex)
    : RequestFailedException(status, message, errorCode, null)
{
    /// <summary>The index of the operation that failed, when the service named it.</summary>
    public int? FailedIndex { get; } = failedIndex;
}
