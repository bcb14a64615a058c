// Copyright (c) HaCluster contributors. MIT License.
// The emulated cloud's in-memory state: every resource, id generation, address allocation.

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using HaCluster.Emulator.Api;

namespace HaCluster.Emulator.State;

/// <summary>
/// All resources of the emulated cloud. Every read and write happens under <see cref="Gate"/>; handlers are
/// synchronous and short, asynchronous work (jobs, data plane) runs outside and re-enters the lock to commit.
/// </summary>
internal sealed class CloudState
{
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private Random _idRandom = new(1);
    private long _seq;

    /// <summary>Creates the state and loads the configured world.</summary>
    /// <param name="options">Validated options.</param>
    public CloudState(EmulatorOptions options)
    {
        Options = options;
        Load();
    }

    /// <summary>The lock around every access.</summary>
    public object Gate { get; } = new();

    /// <summary>The configuration.</summary>
    public EmulatorOptions Options { get; }

    /// <summary>Instances by id.</summary>
    public Dictionary<string, Instance> Instances { get; } = new(StringComparer.Ordinal);

    /// <summary>VxNets by id.</summary>
    public Dictionary<string, VxNet> VxNets { get; } = new(StringComparer.Ordinal);

    /// <summary>Load balancers by id (deleted ones stay with status <c>deleted</c>).</summary>
    public Dictionary<string, LoadBalancer> LoadBalancers { get; } = new(StringComparer.Ordinal);

    /// <summary>Listeners by id.</summary>
    public Dictionary<string, Listener> Listeners { get; } = new(StringComparer.Ordinal);

    /// <summary>Backends by id.</summary>
    public Dictionary<string, Backend> Backends { get; } = new(StringComparer.Ordinal);

    /// <summary>EIPs by id (released ones stay with status <c>released</c>).</summary>
    public Dictionary<string, Eip> Eips { get; } = new(StringComparer.Ordinal);

    /// <summary>Security groups by id.</summary>
    public Dictionary<string, SecurityGroup> SecurityGroups { get; } = new(StringComparer.Ordinal);

    /// <summary>Security group rules by id.</summary>
    public Dictionary<string, SecurityGroupRule> SecurityGroupRules { get; } = new(StringComparer.Ordinal);

    /// <summary>Tags by id.</summary>
    public Dictionary<string, Tag> Tags { get; } = new(StringComparer.Ordinal);

    /// <summary>Tag attachments.</summary>
    public List<TagPair> TagPairs { get; } = [];

    /// <summary>Jobs by id.</summary>
    public Dictionary<string, Job> Jobs { get; } = new(StringComparer.Ordinal);

    /// <summary>Current time.</summary>
    /// <returns>UTC now.</returns>
    public static DateTimeOffset Now() => DateTimeOffset.UtcNow;

    /// <summary>The stable owner id of an access key (<c>usr-</c> + 8 chars derived from it).</summary>
    /// <param name="accessKeyId">Access key id.</param>
    /// <returns>The owner id.</returns>
    public static string OwnerOf(string accessKeyId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(accessKeyId));
        return "usr-" + new string(hash.Take(8).Select(b => IdAlphabet[b % IdAlphabet.Length]).ToArray());
    }

    /// <summary>Forgets everything and recreates the configured VxNets and instances; ids restart from the seed.</summary>
    public void Load()
    {
        Instances.Clear();
        VxNets.Clear();
        LoadBalancers.Clear();
        Listeners.Clear();
        Backends.Clear();
        Eips.Clear();
        SecurityGroups.Clear();
        SecurityGroupRules.Clear();
        Tags.Clear();
        TagPairs.Clear();
        Jobs.Clear();
        _ids.Clear();
        _seq = 0;
        _idRandom = new Random(Options.Faults.Seed);

        var now = Now();
        var owner = OwnerOf(Options.Accounts[0].AccessKeyId);
        foreach (var v in Options.VxNets)
        {
            _ids.Add(v.VxNetId);
            VxNets[v.VxNetId] = new VxNet(Identify(v.VxNetId, v.Zone!, owner, now))
            {
                Name = v.VxNetName,
                Status = "active",
                Network = IPNetwork.Parse(v.IpNetwork),
                IpNetwork = v.IpNetwork,
                RouterId = NewId("rtr-"),
            };
        }

        foreach (var zone in Options.Zones.Concat(Options.Instances.Select(i => i.Zone!)).Distinct(StringComparer.Ordinal))
        {
            AddDefaultSecurityGroup(zone, owner, now);
        }

        foreach (var i in Options.Instances)
        {
            _ids.Add(i.InstanceId);
            Instances[i.InstanceId] = new Instance(Identify(i.InstanceId, i.Zone!, owner, now))
            {
                Name = i.InstanceName,
                Status = i.Status,
                VxNetId = i.VxNetId,
                PrivateIp = i.PrivateIp,
                InstanceType = i.InstanceType,
                Vcpus = i.VcpusCurrent,
                MemoryMb = i.MemoryCurrent,
                SecurityGroupId = DefaultSecurityGroup(i.Zone!).Id,
            };
        }
    }

    /// <summary>
    /// The account's default security group in a zone (<c>is_default=1</c>): instances use it, and so does every load
    /// balancer created without <c>security_group</c> (CreateLoadBalancer docs: "若未提供，则默认加载缺省防火墙").
    /// </summary>
    /// <param name="zone">The zone.</param>
    /// <returns>The group.</returns>
    public SecurityGroup DefaultSecurityGroup(string zone) =>
        SecurityGroups.Values.Where(g => g.IsDefault && g.Zone == zone).OrderBy(g => g.Seq).First();

    // QingCloud's default group: inbound ICMP echo and TCP 22 only, applied.
    private void AddDefaultSecurityGroup(string zone, string owner, DateTimeOffset now)
    {
        var sg = new SecurityGroup(Identify(NewId("sg-"), zone, owner, now)) { Name = "default security group", Status = "active", IsDefault = true };
        SecurityGroups[sg.Id] = sg;
        var rules = new[] { ("ping", 1, "icmp", "8", "0"), ("ssh", 2, "tcp", "22", string.Empty) }.Select(r => new SecurityGroupRule(Identify(NewId("sgr-"), zone, owner, now))
        {
            Name = r.Item1,
            SecurityGroupId = sg.Id,
            Priority = r.Item2,
            Protocol = r.Item3,
            RuleAction = "accept",
            Direction = 0,
            Val1 = r.Item4,
            Val2 = r.Item5,
        }).ToList();
        rules.ForEach(r => SecurityGroupRules[r.Id] = r);
        sg.AppliedRuleIds = [.. rules.Select(r => r.Id)];
    }

    /// <summary>The identity of a resource being created now: the next sequence number and the given id.</summary>
    /// <param name="id">Its id (see <see cref="NewId"/>).</param>
    /// <param name="zone">Zone.</param>
    /// <param name="owner">Owner.</param>
    /// <param name="time">Creation time.</param>
    /// <returns>The identity.</returns>
    public ResourceIdentity Identify(string id, string zone, string owner, DateTimeOffset time) => new(id, zone, owner, ++_seq, time);

    /// <summary>A new unique id: prefix + 8 lowercase alphanumerics, repeatable for a given seed.</summary>
    /// <param name="prefix">e.g. <c>lb-</c>.</param>
    /// <returns>The id.</returns>
    public string NewId(string prefix)
    {
        while (true)
        {
            var chars = new char[8];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = IdAlphabet[_idRandom.Next(IdAlphabet.Length)];
            }

            var id = prefix + new string(chars);
            if (_ids.Add(id))
            {
                return id;
            }
        }
    }

    /// <summary>A resource by id in a zone, or 2100.</summary>
    /// <typeparam name="T">Resource type.</typeparam>
    /// <param name="map">The dictionary to look in.</param>
    /// <param name="id">The id.</param>
    /// <param name="zone">The request's zone.</param>
    /// <returns>The resource.</returns>
    public static T Find<T>(Dictionary<string, T> map, string id, string zone)
        where T : Resource =>
        map.TryGetValue(id, out var found) && found.Zone == zone ? found : throw ApiException.NotFound(id);

    /// <summary>Tags attached to a resource, in tag creation order.</summary>
    /// <param name="resourceId">The resource id.</param>
    /// <returns>The tags.</returns>
    public IEnumerable<Tag> TagsOf(string resourceId) =>
        TagPairs.Where(p => p.ResourceId == resourceId)
            .Select(p => Tags.GetValueOrDefault(p.TagId))
            .OfType<Tag>()
            .Distinct()
            .OrderBy(t => t.Seq);

    /// <summary>Addresses taken in a VxNet: instances and live internal LBs.</summary>
    /// <param name="vxnetId">The VxNet.</param>
    /// <returns>The addresses.</returns>
    public HashSet<string> AddressesInUse(string vxnetId)
    {
        var used = Instances.Values.Where(i => i.VxNetId == vxnetId).Select(i => i.PrivateIp).ToHashSet(StringComparer.Ordinal);
        used.UnionWith(LoadBalancers.Values.Where(l => l.VxNetId == vxnetId && IsLive(l) && l.Vip is not null).Select(l => l.Vip!));
        return used;
    }

    /// <summary>A free VIP: the highest host address of the VxNet not in use (QingCloud-style .253 first).</summary>
    /// <param name="vxnet">The VxNet.</param>
    /// <returns>The address, or null when the VxNet is full.</returns>
    public string? AllocateVip(VxNet vxnet)
    {
        var used = AddressesInUse(vxnet.Id);
        // Skip the broadcast and the address below it (.255, .254 in a /24), which QingCloud reserves.
        return Hosts(vxnet.Network).Reverse().Skip(1).FirstOrDefault(a => !used.Contains(a));
    }

    /// <summary>Free EIP addresses of the pool, lowest first.</summary>
    /// <returns>The addresses.</returns>
    public IEnumerable<string> FreeEipAddresses()
    {
        var used = Eips.Values.Where(e => e.Status != "released").Select(e => e.Address).ToHashSet(StringComparer.Ordinal);
        return Hosts(IPNetwork.Parse(Options.EipPool)).Where(a => !used.Contains(a));
    }

    /// <summary>Whether a load balancer still exists (not deleted or ceased).</summary>
    /// <param name="lb">The LB.</param>
    /// <returns>True when live.</returns>
    public static bool IsLive(LoadBalancer lb) => lb.Status is not ("deleted" or "ceased");

    /// <summary>Host addresses of a network (network and broadcast excluded), ascending.</summary>
    /// <param name="network">The network.</param>
    /// <returns>The addresses as text.</returns>
    public static IEnumerable<string> Hosts(IPNetwork network)
    {
        var bytes = network.BaseAddress.GetAddressBytes();
        var start = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        var size = 1u << (32 - network.PrefixLength);
        for (var offset = 1u; offset + 1 < size; offset++)
        {
            var value = start + offset;
            yield return $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}";
        }
    }
}
