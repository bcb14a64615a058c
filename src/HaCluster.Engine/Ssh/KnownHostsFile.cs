// Copyright (c) HaCluster contributors. MIT License.
// Reads and appends OpenSSH known_hosts files: plain and hashed (|1|) host fields, [host]:port, wildcards, markers.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace HaCluster.Engine.Ssh;

/// <summary>What a known_hosts file says about a host's key.</summary>
public enum HostKeyMatch
{
    /// <summary>The host has no entry.</summary>
    Unknown,

    /// <summary>The key is recorded for the host.</summary>
    Match,

    /// <summary>The host is recorded with other keys only: the key changed.</summary>
    Changed,

    /// <summary>The key is marked <c>@revoked</c>.</summary>
    Revoked,
}

/// <summary>The outcome of looking a host key up.</summary>
public sealed class KnownHostsLookup
{
    internal KnownHostsLookup(HostKeyMatch match, IReadOnlyList<SshHostKey> knownKeys)
    {
        Match = match;
        KnownKeys = knownKeys;
    }

    /// <summary>The verdict.</summary>
    public HostKeyMatch Match { get; }

    /// <summary>The keys the file holds for the host (what a changed key is compared with).</summary>
    public IReadOnlyList<SshHostKey> KnownKeys { get; }
}

/// <summary>An OpenSSH known_hosts file.</summary>
public sealed class KnownHostsFile
{
    // One lock per process: fan-out connects record many new keys at once.
    private static readonly object AppendLock = new();

    private readonly List<Entry> _entries;

    private KnownHostsFile(string path, List<Entry> entries)
    {
        Path = path;
        _entries = entries;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>Reads the file; a missing file is an empty one.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The parsed file.</returns>
    public static KnownHostsFile Load(string path)
    {
        var entries = new List<Entry>();
        if (File.Exists(path))
        {
            foreach (var line in File.ReadAllLines(path))
            {
                var entry = Entry.Parse(line);
                if (entry is not null)
                {
                    entries.Add(entry);
                }
            }
        }

        return new KnownHostsFile(path, entries);
    }

    /// <summary>The name OpenSSH looks up: <c>host</c> on port 22, <c>[host]:port</c> otherwise.</summary>
    /// <param name="host">Host name or address.</param>
    /// <param name="port">SSH port.</param>
    /// <returns>The lookup name.</returns>
    public static string HostPattern(string host, int port) =>
        port == 22 ? host.ToLowerInvariant() : "[" + host.ToLowerInvariant() + "]:" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Looks a presented key up for a host.</summary>
    /// <param name="host">Host name or address as connected to.</param>
    /// <param name="port">SSH port.</param>
    /// <param name="key">The key the server presented.</param>
    /// <returns>The verdict and the keys known for the host.</returns>
    public KnownHostsLookup Lookup(string host, int port, SshHostKey key)
    {
        var name = HostPattern(host, port);

        // Revocation wins wherever it stands in the file.
        var revoked = _entries.FirstOrDefault(e => e.Marker == "@revoked" && e.Key.SameKey(key) && e.Matches(name));
        if (revoked is not null)
        {
            return new KnownHostsLookup(HostKeyMatch.Revoked, new[] { revoked.Key });
        }

        var known = new List<SshHostKey>();
        foreach (var entry in _entries.Where(e => e.Marker is null && e.Matches(name)))
        {
            // Entries with @cert-authority are skipped above: certificates are not used here.

            if (entry.Key.SameKey(key))
            {
                return new KnownHostsLookup(HostKeyMatch.Match, new[] { entry.Key });
            }

            known.Add(entry.Key);
        }

        return new KnownHostsLookup(known.Count == 0 ? HostKeyMatch.Unknown : HostKeyMatch.Changed, known);
    }

    /// <summary>The key types recorded for a host (so the client can ask the server for one of those first).</summary>
    /// <param name="host">Host name or address.</param>
    /// <param name="port">SSH port.</param>
    /// <returns>Distinct key types in file order.</returns>
    public IReadOnlyList<string> KnownKeyTypes(string host, int port)
    {
        var name = HostPattern(host, port);
        return _entries.Where(e => e.Marker is null && e.Matches(name)).Select(e => e.Key.KeyType).Distinct().ToList();
    }

    /// <summary>Appends a plain (unhashed) line for the host, creating the file and its folder if needed.</summary>
    /// <param name="path">The known_hosts file.</param>
    /// <param name="host">Host name or address.</param>
    /// <param name="port">SSH port.</param>
    /// <param name="key">The key to trust.</param>
    public static void Append(string path, string host, int port, SshHostKey key)
    {
        var line = HostPattern(host, port) + " " + key.KeyType + " " + key.Base64;
        lock (AppendLock)
        {
            var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            // Another connection may have recorded the same host meanwhile.
            if (Load(path).Lookup(host, port, key).Match == HostKeyMatch.Match)
            {
                return;
            }

            var prefix = NeedsNewline(path) ? "\n" : string.Empty;
            File.AppendAllText(path, prefix + line + "\n", new UTF8Encoding(false));
        }
    }

    private static bool NeedsNewline(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        using var stream = File.OpenRead(path);
        if (stream.Length == 0)
        {
            return false;
        }

        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() != '\n';
    }

    private sealed class Entry
    {
        private readonly string[] _patterns;
        private readonly byte[]? _salt;
        private readonly byte[]? _hash;

        private Entry(string? marker, string[] patterns, byte[]? salt, byte[]? hash, SshHostKey key)
        {
            Marker = marker;
            _patterns = patterns;
            _salt = salt;
            _hash = hash;
            Key = key;
        }

        public string? Marker { get; }

        public SshHostKey Key { get; }

        public static Entry? Parse(string line)
        {
            var fields = line.Trim().Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0 || fields[0].StartsWith("#", StringComparison.Ordinal))
            {
                return null;
            }

            string? marker = null;
            var index = 0;
            if (fields[0].StartsWith("@", StringComparison.Ordinal))
            {
                marker = fields[0].ToLowerInvariant();
                index = 1;
            }

            if (fields.Length < index + 3)
            {
                return null;
            }

            SshHostKey key;
            try
            {
                key = new SshHostKey(Convert.FromBase64String(fields[index + 2]));
            }
            catch (FormatException)
            {
                return null; // Malformed lines are skipped, as OpenSSH does.
            }

            var hosts = fields[index];
            if (hosts.StartsWith("|1|", StringComparison.Ordinal))
            {
                var parts = hosts.Split('|');
                if (parts.Length != 4)
                {
                    return null;
                }

                try
                {
                    return new Entry(marker, Array.Empty<string>(), Convert.FromBase64String(parts[2]), Convert.FromBase64String(parts[3]), key);
                }
                catch (FormatException)
                {
                    return null;
                }
            }

            return new Entry(marker, hosts.ToLowerInvariant().Split(','), null, null, key);
        }

        public bool Matches(string name)
        {
            if (_salt is not null && _hash is not null)
            {
                using var hmac = new HMACSHA1(_salt);
                return hmac.ComputeHash(Encoding.ASCII.GetBytes(name)).SequenceEqual(_hash);
            }

            // OpenSSH: a matching negated pattern vetoes the entry; otherwise any positive match wins.
            var matched = false;
            foreach (var pattern in _patterns)
            {
                var negated = pattern.StartsWith("!", StringComparison.Ordinal);
                if (Wildcard(negated ? pattern.Substring(1) : pattern, name))
                {
                    if (negated)
                    {
                        return false;
                    }

                    matched = true;
                }
            }

            return matched;
        }

        private static bool Wildcard(string pattern, string name)
        {
            if (pattern.IndexOfAny(new[] { '*', '?' }) < 0)
            {
                return string.Equals(pattern, name, StringComparison.Ordinal);
            }

            var regex = "^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$";
            return Regex.IsMatch(name, regex, RegexOptions.CultureInvariant);
        }
    }
}
