using System.Globalization;
using Azure.Data.Tables;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Stores a JSON document (run state, contact, definition) in binary properties of one entity. A property holds at
/// most 64 KiB, so a larger document is split across <c>Data</c>, <c>Data1</c>, <c>Data2</c> ... of the same row: it
/// stays one atomic, ETag-guarded write. Beyond <see cref="MaxBytes"/> (the 1 MiB entity limit less room for the
/// other columns) the write is refused with <see cref="StorageLimitException"/>.
/// </summary>
public static class TablePayload
{
    public const int ChunkBytes = 64_000;

    public const int MaxChunks = 15;

    public const int MaxBytes = ChunkBytes * MaxChunks;

    private const string Name = "Data";

    private const string CountName = "DataChunks";

    public static void Write(TableEntity entity, ReadOnlySpan<byte> utf8, string what)
    {
        if (utf8.Length > MaxBytes)
        {
            throw new StorageLimitException(
                $"{what} is {utf8.Length} bytes of JSON, over the {MaxBytes}-byte limit of one table row (Azure Table Storage allows 1 MiB per entity). Keep large data (cart contents, event payloads) small or by reference.");
        }

        var chunks = Math.Max(1, (utf8.Length + ChunkBytes - 1) / ChunkBytes);
        for (var i = 0; i < chunks; i++)
        {
            var start = i * ChunkBytes;
            var length = Math.Min(ChunkBytes, utf8.Length - start);
            entity[ChunkName(i)] = utf8.Slice(start, length).ToArray();
        }

        entity[CountName] = chunks;
    }

    public static byte[] Read(TableEntity entity)
    {
        var chunks = entity.GetInt32(CountName) ?? 1;
        if (chunks == 1)
        {
            return entity.GetBinary(Name) ?? throw new InvalidDataException($"Row {entity.PartitionKey}/{entity.RowKey} has no {Name} column.");
        }

        using var buffer = new MemoryStream();
        for (var i = 0; i < chunks; i++)
        {
            var part = entity.GetBinary(ChunkName(i)) ?? throw new InvalidDataException($"Row {entity.PartitionKey}/{entity.RowKey} misses chunk {i} of {chunks}.");
            buffer.Write(part);
        }

        return buffer.ToArray();
    }

    private static string ChunkName(int index) => index == 0 ? Name : Name + index.ToString(CultureInfo.InvariantCulture);
}
