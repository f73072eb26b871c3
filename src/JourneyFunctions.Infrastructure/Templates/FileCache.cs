using System.Collections.Concurrent;

namespace JourneyFunctions.Infrastructure.Templates;

/// <summary>
/// Values built from the text of files (parsed templates), cached with the size and last write time the file had
/// when it was read. A cached value is served without touching the disk for <c>checkInterval</c>; after that one
/// look at the file's metadata tells whether it changed (it is then read and built again) or was deleted (null).
/// </summary>
/// <remarks>
/// Lock-free: two threads that find a file changed at the same moment may both build it, and the last one is kept;
/// both results are equivalent, which is cheaper than making every reader wait. The stamp is taken before the file
/// is read, so a write that lands during the read is seen as a change at the next look.
/// </remarks>
internal sealed class FileCache<T>(TimeSpan checkInterval)
    where T : class
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly long _intervalMs = (long)checkInterval.TotalMilliseconds;

    /// <summary>The value built from the file at <paramref name="path"/>, or null when there is no such file.</summary>
    public T? Get(string path, Func<string, T> build) => Get(path, path, build);

    /// <summary>As <see cref="Get(string, Func{string, T})"/>, cached under <paramref name="key"/> (one file, several builds).</summary>
    public T? Get(string key, string path, Func<string, T> build)
    {
        var now = Environment.TickCount64;
        if (_entries.TryGetValue(key, out var entry) && now - entry.CheckedAt < _intervalMs)
        {
            return entry.Value;
        }

        var stamp = Stamp.Of(path);
        if (entry is not null && entry.Stamp == stamp)
        {
            _entries[key] = entry with { CheckedAt = now };
            return entry.Value;
        }

        T? value = null;
        if (stamp.Exists)
        {
            try
            {
                value = build(File.ReadAllText(path));
            }
            catch (FileNotFoundException)
            {
                // Deleted between the look and the read: served as missing; the next look sees the new state.
            }
            catch (DirectoryNotFoundException)
            {
            }
        }

        _entries[key] = new Entry(stamp, now, value);
        return value;
    }

    private sealed record Entry(Stamp Stamp, long CheckedAt, T? Value);

    /// <summary>What identifies a version of a file without reading it.</summary>
    private readonly record struct Stamp(bool Exists, long Length, long LastWriteTicks)
    {
        public static Stamp Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new Stamp(true, info.Length, info.LastWriteTimeUtc.Ticks) : default;
        }
    }
}
