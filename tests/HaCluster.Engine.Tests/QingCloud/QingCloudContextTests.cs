// Copyright (c) HaCluster contributors. MIT License.
// Context validation, display without the secret, and resolution from parameters, profile file and environment.

using System;
using System.Collections.Generic;
using System.IO;
using System.Security;
using HaCluster.Engine.Common;
using HaCluster.Engine.QingCloud;
using Xunit;

namespace HaCluster.Engine.Tests.QingCloud;

public sealed class QingCloudContextTests : IDisposable
{
    private const string Secret = "S3cr3t-Never-Shown";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "hacluster-ctx-" + Guid.NewGuid().ToString("N"));

    public QingCloudContextTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void DisplayNeverShowsTheSecret()
    {
        var context = new QingCloudContext("QYKEY", Secure(Secret), "PEK3B", new Uri("http://127.0.0.1:7878/iaas"));

        Assert.Equal("QYKEY@pek3b http://127.0.0.1:7878/iaas", context.ToString());
        Assert.DoesNotContain(Secret, context.ToString());
        Assert.Equal(Secret, context.RevealSecret());
        Assert.True(context.SecretAccessKey.IsReadOnly());
    }

    [Theory]
    [InlineData("http://127.0.0.1:7878/iaas", "/iaas")]
    [InlineData("http://127.0.0.1:7878/iaas/", "/iaas/")]
    [InlineData("http://127.0.0.1:7878", "/iaas/")]
    [InlineData("https://api.qingcloud.com:443/iaas", "/iaas")]
    public void EndpointPathIsKeptAsConfigured(string endpoint, string path)
    {
        Assert.Equal(path, QingCloudContext.ParseEndpoint(endpoint).AbsolutePath);
    }

    [Theory]
    [InlineData("ftp://example/iaas")]
    [InlineData("not a url")]
    [InlineData("http://host/iaas?x=1")]
    public void BadEndpointsAreRejected(string endpoint)
    {
        var ex = Assert.Throws<HaClusterException>(() => QingCloudContext.ParseEndpoint(endpoint));
        Assert.Equal("QingCloudInvalidEndpoint", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public void EndpointUserInfoIsRejectedWithoutEchoingIt()
    {
        var ex = Assert.Throws<HaClusterException>(() => QingCloudContext.ParseEndpoint("http://user:hunter2@127.0.0.1/iaas/"));
        Assert.Equal("QingCloudInvalidEndpoint", ex.ErrorId);
        Assert.DoesNotContain("hunter2", ex.Message);
        Assert.DoesNotContain("hunter2", ex.Target?.ToString());
    }

    [Fact]
    public void ExplicitValuesWinOverEnvironment()
    {
        var env = Env(("QINGCLOUD_ACCESS_KEY", "ENVKEY"), ("QINGCLOUD_SECRET_KEY", "envsecret"), ("QINGCLOUD_ZONE", "sh1a"), ("QINGCLOUD_ENDPOINT", "http://127.0.0.1:1/iaas"));
        var context = QingCloudContextResolver.Resolve(
            new QingCloudContextRequest { AccessKeyId = "PARAMKEY", SecretAccessKey = Secure(Secret), Zone = "pek3b" },
            env,
            NoDefaultProfile());

        Assert.Equal("PARAMKEY", context.AccessKeyId);
        Assert.Equal(Secret, context.RevealSecret());
        Assert.Equal("pek3b", context.Zone);
        Assert.Equal(new Uri("http://127.0.0.1:1/iaas"), context.Endpoint); // not given explicitly: next source
        Assert.Equal("Parameters", context.Source);
    }

    [Fact]
    public void EnvironmentAloneIsEnough()
    {
        var env = Env(("QINGCLOUD_ACCESS_KEY", "ENVKEY"), ("QINGCLOUD_SECRET_KEY", Secret), ("QINGCLOUD_ZONE", "pek3b"));
        var context = QingCloudContextResolver.Resolve(new QingCloudContextRequest(), env, NoDefaultProfile());

        Assert.Equal("ENVKEY", context.AccessKeyId);
        Assert.Equal(Secret, context.RevealSecret());
        Assert.Equal(new Uri(QingCloudContext.DefaultEndpoint), context.Endpoint);
        Assert.Equal("Environment", context.Source);
    }

    [Fact]
    public void ProfileFileIsReadWithTheOfficialKeys()
    {
        var path = Write("config.yaml", $"qy_access_key_id: 'PROFILEKEY'\nqy_secret_access_key: '{Secret}'\nzone: 'pek3b'\nhost: 127.0.0.1\nport: 7878\nprotocol: http\nuri: /iaas\nconnection_retries: 3\n");
        var env = Env(("QINGCLOUD_ACCESS_KEY", "ENVKEY"), ("QINGCLOUD_SECRET_KEY", "envsecret"), ("QINGCLOUD_ZONE", "sh1a"));
        var context = QingCloudContextResolver.Resolve(new QingCloudContextRequest { ProfilePath = path }, env, NoDefaultProfile());

        Assert.Equal("PROFILEKEY", context.AccessKeyId);
        Assert.Equal(Secret, context.RevealSecret());
        Assert.Equal("pek3b", context.Zone);
        Assert.Equal(new Uri("http://127.0.0.1:7878/iaas"), context.Endpoint);
        Assert.Equal("Profile " + path, context.Source);
    }

    [Fact]
    public void ProfileWithoutEndpointKeysUsesThePublicEndpointAndExplicitZoneWins()
    {
        var path = Write("config.yaml", $"qy_access_key_id: PROFILEKEY\nqy_secret_access_key: {Secret}\nzone: sh1a\n");
        var context = QingCloudContextResolver.Resolve(new QingCloudContextRequest { ProfilePath = path, Zone = "pek3b" }, Env(), NoDefaultProfile());

        Assert.Equal("pek3b", context.Zone);
        Assert.Equal(new Uri(QingCloudContext.DefaultEndpoint), context.Endpoint);
    }

    [Fact]
    public void DefaultProfileIsTheLastResort()
    {
        var path = Write("default.yaml", $"qy_access_key_id: DEFAULTKEY\nqy_secret_access_key: {Secret}\nzone: gd2\n");
        var fromDefault = QingCloudContextResolver.Resolve(new QingCloudContextRequest(), Env(), path);
        var fromEnv = QingCloudContextResolver.Resolve(new QingCloudContextRequest(), Env(("QINGCLOUD_ACCESS_KEY", "ENVKEY"), ("QINGCLOUD_SECRET_KEY", "x")), path);

        Assert.Equal("DEFAULTKEY", fromDefault.AccessKeyId);
        Assert.Equal("ENVKEY", fromEnv.AccessKeyId);
        Assert.Equal("gd2", fromEnv.Zone); // zone only in the default profile
    }

    [Fact]
    public void HalfACredentialIsAnError()
    {
        var ex = Assert.Throws<HaClusterException>(() => QingCloudContextResolver.Resolve(
            new QingCloudContextRequest { AccessKeyId = "KEY", Zone = "pek3b" },
            Env(("QINGCLOUD_SECRET_KEY", Secret)),
            NoDefaultProfile()));

        Assert.Equal("QingCloudCredentialsIncomplete", ex.ErrorId);
        Assert.DoesNotContain(Secret, ex.Message);
    }

    [Fact]
    public void NothingConfiguredSaysWhatToSet()
    {
        var ex = Assert.Throws<HaClusterException>(() => QingCloudContextResolver.Resolve(new QingCloudContextRequest(), Env(), NoDefaultProfile()));
        Assert.Equal("QingCloudCredentialsNotFound", ex.ErrorId);
        Assert.Equal(FailureKind.AuthenticationError, ex.Kind);
        Assert.Contains("QINGCLOUD_ACCESS_KEY", ex.Message);
    }

    [Fact]
    public void MissingZoneIsAnError()
    {
        var ex = Assert.Throws<HaClusterException>(() => QingCloudContextResolver.Resolve(
            new QingCloudContextRequest { AccessKeyId = "KEY", SecretAccessKey = Secure(Secret) }, Env(), NoDefaultProfile()));
        Assert.Equal("QingCloudZoneMissing", ex.ErrorId);
    }

    [Fact]
    public void MissingProfileFileIsObjectNotFound()
    {
        var path = Path.Combine(_directory, "absent.yaml");
        var ex = Assert.Throws<HaClusterException>(() => QingCloudContextResolver.Resolve(new QingCloudContextRequest { ProfilePath = path }, Env(), NoDefaultProfile()));
        Assert.Equal("QingCloudProfileNotFound", ex.ErrorId);
        Assert.Equal(FailureKind.ObjectNotFound, ex.Kind);
        Assert.Equal(path, ex.Target);
    }

    [Fact]
    public void BrokenProfileErrorsNeverQuoteTheFile()
    {
        var path = Write("broken.yaml", $"qy_secret_access_key: {Secret}\n  zone: [unclosed\n");
        var ex = Assert.Throws<HaClusterException>(() => QingCloudContextResolver.Resolve(new QingCloudContextRequest { ProfilePath = path }, Env(), NoDefaultProfile()));
        Assert.Equal("QingCloudProfileInvalid", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidData, ex.Kind);
        Assert.DoesNotContain(Secret, ex.Message);
    }

    [Fact]
    public void BadPortInProfileIsInvalidData()
    {
        var path = Write("port.yaml", $"qy_access_key_id: K\nqy_secret_access_key: {Secret}\nzone: pek3b\nport: https\n");
        Assert.Equal("QingCloudProfileInvalid", Assert.Throws<HaClusterException>(() => QingCloudContextResolver.Resolve(new QingCloudContextRequest { ProfilePath = path }, Env(), NoDefaultProfile())).ErrorId);
    }

    internal static SecureString Secure(string text)
    {
        var s = new SecureString();
        foreach (var c in text)
        {
            s.AppendChar(c);
        }

        return s;
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] values)
    {
        var map = new Dictionary<string, string>();
        foreach (var (name, value) in values)
        {
            map[name] = value;
        }

        return name => map.TryGetValue(name, out var v) ? v : null;
    }

    private string NoDefaultProfile() => Path.Combine(_directory, "no-default-profile.yaml");

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
