// The shapes of the iRacing payloads the importers rely on, checked on arrival (DESIGN §5). Only the fields
// the importers read are checked; everything else passes through untouched.
import { array, bool, int, isoDate, num, object, optional, str } from './decode.js';
import type { Checked } from './decode.js';

export const carPayload = array(
  object({
    car_id: int,
    car_name: str,
    package_id: int,
    car_name_abbreviated: optional(str),
    car_make: optional(str),
    car_model: optional(str),
    categories: optional(array(str)),
    car_types: optional(array(object({ car_type: str }))),
    price: optional(num),
    free_with_subscription: optional(bool),
    hp: optional(num),
    car_weight: optional(num),
    min_power_adjust_pct: optional(num),
    max_power_adjust_pct: optional(num),
    max_weight_penalty_kg: optional(num),
    rain_enabled: optional(bool),
    retired: optional(bool),
    first_sale: optional(isoDate),
  }),
);
export type IracingCar = Checked<typeof carPayload>[number];

export const carClassPayload = array(
  object({
    car_class_id: int,
    name: str,
    short_name: optional(str),
    relative_speed: optional(int),
    rain_enabled: optional(bool),
    cust_id: optional(int),
    cars_in_class: array(object({ car_id: int })),
  }),
);
export type IracingCarClass = Checked<typeof carClassPayload>[number];

export const trackPayload = array(
  object({
    track_id: int,
    track_name: str,
    package_id: int,
    config_name: optional(str),
    category: str,
    track_types: optional(array(object({ track_type: str }))),
    track_config_length: optional(num),
    corners_per_lap: optional(int),
    grid_stalls: optional(int),
    max_cars: optional(int),
    pit_road_speed_limit: optional(num),
    night_lighting: optional(bool),
    fully_lit: optional(bool),
    rain_enabled: optional(bool),
    retired: optional(bool),
    location: optional(str),
    latitude: optional(num),
    longitude: optional(num),
    time_zone: optional(str),
    price: optional(num),
    free_with_subscription: optional(bool),
  }),
);
export type IracingTrack = Checked<typeof trackPayload>[number];
