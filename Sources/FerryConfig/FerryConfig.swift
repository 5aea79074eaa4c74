/// The config repository model: `ferry.yaml`, its includes, defaults and validation.
public enum FerryConfigModule {}
